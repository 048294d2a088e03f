"""A consultation: the request, its attachments, triage, assignment, opinions, thread and outcome.

Both node roles hold the same tables. At a gateway a :class:`ConsultRequest` is the
identified original (linked to a registry patient) written by the referring physician;
at a hub it is the de-identified copy received from that gateway, linked to no patient
and known by the same ``reference``. Which state may follow which, and who may move it,
is decided in :mod:`huizhen.apps.consults.workflow`; models hold data and invariants.
Signed opinions are immutable (an addendum is a new version), enforced in ``save()``
and by the services.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huizhen.apps.nodes.models import Peer


class Program(models.TextChoices):
    SECOND_OPINION = "second_opinion", _("Second opinion on the diagnosis")
    TREATMENT_PLAN = "treatment_plan_review", _("Treatment-plan review")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")


class Subspecialty(models.TextChoices):
    LYMPHOMA = "lymphoma", _("Lymphoma")
    LEUKEMIA = "leukemia", _("Leukemia")
    MYELOMA = "myeloma", _("Myeloma and plasma-cell disorders")
    MDS = "mds", _("Myelodysplastic syndromes")
    MPN = "mpn", _("Myeloproliferative neoplasms")
    TRANSPLANT = "transplant", _("Stem-cell transplantation and cellular therapy")
    OTHER = "other", _("Other")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTING = "submitting", _("Submitting")
    SUBMISSION_FAILED = "submission_failed", _("Submission failed (retry)")
    SUBMITTED = "submitted", _("Submitted, awaiting triage")
    INFO_REQUESTED = "info_requested", _("More information requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_REVIEW = "in_review", _("In review")
    SIGNED = "signed", _("Opinion signed")
    DELIVERED = "delivered", _("Opinion delivered")
    CLOSED = "closed", _("Closed (outcome recorded)")


class ConsultRequest(models.Model):
    # Shared by both nodes: the gateway mints it, the hub keeps it.
    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    # Gateway: the registry patient (identified). Hub: always null.
    patient = models.ForeignKey(
        "registry.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="consult_requests"
    )
    # Gateway: the hub it goes to. Hub: the gateway it came from.
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, null=True, blank=True, related_name="consult_requests")
    # Gateway: the referring physician's account. Hub: null, with the name and institution as sent.
    referring_physician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="referred_requests"
    )
    referring_physician_name = models.CharField(_("referring physician"), max_length=200, blank=True)
    referring_institution = models.CharField(_("referring institution"), max_length=200, blank=True)
    # At the hub: the pseudonym the gateway sent (e.g. "PT-7F3K2Q"); at the gateway it is on the patient.
    patient_pseudonym = models.CharField(_("patient pseudonym"), max_length=32, blank=True)

    program = models.CharField(_("program"), max_length=32, choices=Program.choices, default=Program.SECOND_OPINION)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    subspecialty = models.CharField(_("subspecialty"), max_length=32, choices=Subspecialty.choices, blank=True)
    question = models.TextField(_("clinical question"), blank=True)
    # Language of the free text as written by the referring physician ("zh" or "en").
    language = models.CharField(_("language"), max_length=8, default="zh")
    # The structured clinical summary; schema in huizhen.apps.consults.summary.
    summary = models.JSONField(_("clinical summary"), default=dict, blank=True)

    state = models.CharField(_("state"), max_length=32, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # Deadline from acceptance to signature, in the node's business days; paused while
    # information is requested (huizhen.apps.consults.deadlines).
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    paused_at = models.DateTimeField(_("deadline paused at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    outcome_due_at = models.DateTimeField(_("outcome follow-up due"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    # Hub: the state the case was in when information was requested, resumed when it arrives
    # (huizhen.apps.consults.triage).
    resume_state = models.CharField(_("state to resume"), max_length=32, blank=True)
    # Hub: the policy facts the gateway established when it exported the case (subject
    # country, US-person status, consents, export volume), read by huizhen.apps.consults.compliance.
    export_facts = models.JSONField(_("policy facts at export"), default=dict, blank=True)
    # Why the last submission attempt failed (gateway), shown with the retry button.
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="consult_state_known"),
        ]

    def __str__(self) -> str:
        return self.reference


class AttachmentKind(models.TextChoices):
    PDF = "pdf", _("PDF document")
    IMAGE = "image", _("Image")
    DICOM = "dicom", _("DICOM study")
    TEXT = "text", _("Text report")
    OTHER = "other", _("Other")


class DeidStatus(models.TextChoices):
    PENDING = "pending", _("Not yet de-identified")
    INCLUDED = "included", _("De-identified, included")
    EXCLUDED = "excluded", _("Left out")


class Attachment(models.Model):
    request = models.ForeignKey(ConsultRequest, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey("Message", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    title = models.CharField(_("title"), max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    # Relative path under the node's blob directory; a DICOM study is a directory of files.
    blob = models.CharField(max_length=300)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    # Gateway only: what de-identification made of it and where the de-identified copy is.
    deid_status = models.CharField(max_length=16, choices=DeidStatus.choices, default=DeidStatus.PENDING)
    deid_note = models.TextField(blank=True)
    deid_blob = models.CharField(max_length=300, blank=True)
    deid_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title or self.filename


class Assignment(models.Model):
    """A specialist on a case at the hub: suggested by the engine, confirmed by a coordinator."""

    request = models.ForeignKey(ConsultRequest, on_delete=models.CASCADE, related_name="assignments")
    specialist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    lead = models.BooleanField(_("lead reviewer"), default=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "specialist"], condition=Q(released_at=None), name="assignment_once_per_specialist"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} → {self.specialist}"


class SpecialistProfile(models.Model):
    """What a hub specialist reviews and reads, so assignment can suggest the right people."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="specialist_profile")
    # Subspecialty values (Subspecialty) the specialist reviews, e.g. ["lymphoma", "myeloma"].
    subspecialties = models.JSONField(_("subspecialties"), default=list, blank=True)
    # Languages the specialist reads clinical text in, e.g. ["en", "zh"].
    languages = models.JSONField(_("languages read"), default=list, blank=True)

    def __str__(self) -> str:
        return f"profile of {self.user}"


class Agreement(models.TextChoices):
    CONCORDANT = "concordant", _("Concordant")
    MINOR = "minor_discordance", _("Minor discordance")
    MAJOR = "major_discordance", _("Major discordance (changes treatment)")


class OpinionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_COSIGN = "awaiting_cosign", _("Awaiting co-signature")
    SIGNED = "signed", _("Signed")


class ImmutableOpinion(Exception):
    """A signed opinion was about to change; write an addendum instead."""


class Opinion(models.Model):
    request = models.ForeignKey(ConsultRequest, on_delete=models.CASCADE, related_name="opinions")
    version = models.PositiveIntegerField(default=1)
    supersedes = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=16, choices=OpinionStatus.choices, default=OpinionStatus.DRAFT)
    agreement = models.CharField(
        _("agreement with the submitted diagnosis"), max_length=32, choices=Agreement.choices, blank=True
    )
    # [{"system": "icd10"|"icdo3", "code": "...", "text": "..."}]
    consultant_diagnosis = models.JSONField(_("consultant's diagnosis"), default=list, blank=True)
    workup = models.TextField(_("recommended further workup"), blank=True)
    # {"regimen": "R-CHOP", "rationale": "...", "guidelines": ["NCCN B-cell lymphomas v2.2026"]}
    treatment = models.JSONField(_("treatment recommendation"), default=dict, blank=True)
    trials = models.TextField(_("clinical-trial considerations"), blank=True)
    comments = models.TextField(_("comments"), blank=True)
    addendum_reason = models.TextField(_("reason for the addendum"), blank=True)
    language = models.CharField(max_length=8, default="en")
    # Hub: the author's account. Gateway: null; names as sent.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    cosigner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosigner_name = models.CharField(max_length=200, blank=True)
    cosigned_at = models.DateTimeField(null=True, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the canonical JSON of the signed content (huizhen.apps.consults.opinions).
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["request", "version"]
        constraints = [
            models.UniqueConstraint(fields=["request", "version"], name="opinion_version_unique"),
            models.CheckConstraint(
                condition=~Q(status="signed") | (~Q(content_hash="") & Q(signed_at__isnull=False)),
                name="opinion_signed_has_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} opinion v{self.version}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            stored = Opinion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == OpinionStatus.SIGNED:
                raise ImmutableOpinion(f"opinion {self.pk} is signed; write an addendum")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class MessageKind(models.TextChoices):
    QUESTION = "question", _("Question")
    ANSWER = "answer", _("Answer")
    INFO_REQUEST = "info_request", _("Request for more information")
    INFO_RESPONSE = "info_response", _("Information provided")
    NOTE = "note", _("Note")


class Message(models.Model):
    """One post in the physician-to-physician thread of a case, relayed between nodes."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(ConsultRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices, default=MessageKind.QUESTION)
    in_reply_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies")
    # "gateway" or "hub": which side wrote it.
    origin = models.CharField(max_length=8)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    # At the author's node: the text as written. At the other node: the scrubbed text received.
    body = models.TextField()
    language = models.CharField(max_length=8, default="zh")
    created_at = models.DateTimeField(auto_now_add=True)
    relayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request} {self.kind} {self.uid}"


class Adoption(models.TextChoices):
    FULLY = "fully", _("Fully adopted")
    PARTLY = "partly", _("Partly adopted")
    NOT = "not", _("Not adopted")


class Outcome(models.Model):
    """Whether the advice was adopted and how the patient is doing, asked after delivery."""

    request = models.ForeignKey(ConsultRequest, on_delete=models.CASCADE, related_name="outcomes")
    adoption = models.CharField(_("advice adopted"), max_length=16, choices=Adoption.choices)
    reason = models.TextField(_("why (if not fully)"), blank=True)
    patient_status = models.TextField(_("how the patient is doing"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    relayed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.request} outcome: {self.adoption}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    request = models.ForeignKey(ConsultRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    verb = models.CharField(max_length=64)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user}: {self.verb}"


class PartnerAgreement(models.Model):
    """The legal basis for sending cases to (or receiving them from) one peer, as the policy engine reads it."""

    peer = models.OneToOneField(Peer, on_delete=models.CASCADE, related_name="agreement")
    country = models.CharField(_("peer's country (ISO 3166-1/2)"), max_length=6)
    standard_contract = models.BooleanField(_("standard contract filed"), default=False)
    impact_assessment = models.BooleanField(_("personal-information impact assessment done"), default=False)
    security_assessment = models.BooleanField(_("CAC security assessment passed"), default=False)
    hipaa_authorization = models.BooleanField(_("HIPAA authorization or waiver"), default=False)
    dsp_security_program = models.BooleanField(_("DOJ data-security program in place"), default=False)
    # Specialists at the peer are licensed here (ISO places); empty = nowhere in the patient's country.
    licensed_in = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"agreement with {self.peer}"


class OutboundEvent(models.Model):
    """An event waiting to be relayed to a peer (outbox): retried until the peer confirms it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, retrying")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(ConsultRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} → {self.peer} ({self.status})"


class InboundEvent(models.Model):
    """An event received from a peer, kept by its id so a retried delivery is applied once."""

    uid = models.UUIDField(unique=True)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=64)
    reference = models.CharField(max_length=32, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} from {self.peer}"


class ReceivedBlob(models.Model):
    """A content-addressed file received from a peer (hub: de-identified attachments)."""

    sha256 = models.CharField(max_length=64, unique=True)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+")
    size = models.BigIntegerField()
    blob = models.CharField(max_length=300)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


class CaseTransfer(models.Model):
    """Where the files of one case stand on their way between the nodes (the transfer engine's progress).

    One row per case, direction and peer: at a gateway the outgoing transfer of the
    submission (updated from the sender's progress callback), at a hub the incoming one
    (updated from the receiver's session). ``reference`` is kept as well as ``request``
    because a hub receives the files before the case exists.
    """

    class Direction(models.TextChoices):
        OUTGOING = "outgoing", _("outgoing")
        INCOMING = "incoming", _("incoming")

    class TransferState(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    request = models.ForeignKey(
        ConsultRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="transfers"
    )
    reference = models.CharField(max_length=32, db_index=True)
    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    session_id = models.CharField(max_length=64, blank=True)
    files = models.PositiveIntegerField(default=0)
    total_bytes = models.BigIntegerField(default=0)
    sent_bytes = models.BigIntegerField(default=0)
    rate_bps = models.FloatField(default=0.0)
    state = models.CharField(max_length=16, choices=TransferState.choices, default=TransferState.RUNNING)
    last_error = models.TextField(blank=True)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reference", "direction", "peer"], name="one_transfer_per_case_direction")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.direction} {self.sent_bytes}/{self.total_bytes}"
