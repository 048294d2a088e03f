"""Django admin for institutions, people and their roles (the admin site itself requires OTP)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from huizhen.apps.accounts.models import Institution, Membership, User


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin[Institution]):
    list_display = ("name", "name_local", "kind", "country")
    list_filter = ("kind", "country")
    search_fields = ("name", "name_local")


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    autocomplete_fields = ("institution",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    inlines = (MembershipInline,)
    list_display = ("username", "first_name", "last_name", "language", "is_active", "is_staff")
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Preferences"), {"fields": ("language",)}))  # type: ignore[misc]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("user", "institution", "role")
    list_filter = ("role", "institution")
    search_fields = ("user__username", "institution__name")
    autocomplete_fields = ("user", "institution")
