"""Personal names: Chinese names by surname and context, pinyin names, English names in context."""

from __future__ import annotations

import pytest

from huizhen.deid.text.names import surnames
from tests.deid.text.spans import found_kind


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("患者张三，男，45岁。", "张三"),
        ("患者王小明因发热入院。", "王小明"),
        ("姓名：刘洋　性别：女", "刘洋"),
        ("患者姓名：欧阳娜娜，女", "欧阳娜娜"),
        ("主治医师：李明。", "李明"),
        ("审核医师：娄一鸿　报告日期", "娄一鸿"),
        ("家属陈涛可（妻子）陪同。", "陈涛可"),
        ("联系人：王小红，电话", "王小红"),
        ("尊敬的卫娜茜教授：", "卫娜茜"),
        ("请张三主任会诊。", "张三"),
        ("转诊医师：东方博彤　联系电话", "东方博彤"),
        ("患者于某某，男", "于某某"),
    ],
)
def test_chinese_names_are_found_by_context(text: str, name: str) -> None:
    assert found_kind(text, "NAME") == [name]


@pytest.mark.parametrize(("text", "name"), [("张某于3月复查。", "张某"), ("王某某，男，60岁。", "王某某")])
def test_surname_with_mou_is_a_name(text: str, name: str) -> None:
    assert found_kind(text, "NAME") == [name]


def test_a_surname_before_a_title_is_a_name() -> None:
    assert found_kind("李主任查房后建议复查。", "NAME") == ["李"]


def test_a_weak_surname_needs_a_strong_cue() -> None:
    assert found_kind("现病史：全先生2019年起病。", "NAME") == ["全"]
    assert found_kind("患者于今日入院，由家属陪同，和家人同住。", "NAME") == []


def test_a_name_found_once_is_found_again_without_its_cue() -> None:
    assert found_kind("患者张三，男。张三于3月8日开始化疗。", "NAME") == ["张三", "张三"]


def test_signature_lines_of_two_people_are_two_names() -> None:
    assert found_kind("报告如上。\n霍桂沐/任强峰\n", "NAME") == ["霍桂沐", "任强峰"]


@pytest.mark.parametrize(
    "text",
    [
        "患者高血压病史5年，白细胞升高。",
        "患者全身浅表淋巴结肿大，呼吸平稳。",
        "患者一般情况可，精神可，无发热。",
        "管床医生查房后予化疗。",
        "患者于2023年3月入院。",
    ],
)
def test_clinical_phrases_after_patient_are_not_names(text: str) -> None:
    assert found_kind(text, "NAME") == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Patient: Zhang San, 45-year-old male.", "Zhang San"),
        ("The patient ZHANG San was admitted.", "ZHANG San"),
        ("Xiaoming Zhang presented with fever.", "Xiaoming Zhang"),
        ("Seen with Zhang Xiao-Ming today.", "Zhang Xiao-Ming"),
        ("Patient: LI, Ping (李萍)", "LI, Ping"),
        ("Ouyang Na was referred.", "Ouyang Na"),
    ],
)
def test_pinyin_names_are_found(text: str, name: str) -> None:
    assert name in found_kind(text, "NAME")


def test_a_bracketed_name_in_the_other_script_is_a_name_too() -> None:
    assert found_kind("Re: Guimei Teng (滕桂梅), DOB 1960", "NAME") == ["Guimei Teng", "滕桂梅"]


def test_a_kinship_word_in_brackets_is_not_a_name() -> None:
    assert found_kind("家属郭玉芸（母亲）陪同。", "NAME") == ["郭玉芸"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Seen by Dr. Emily Carter today.", "Emily Carter"),
        ("Dear Mrs. O'Brien,", "O'Brien"),
        ("Patient: WRIGHT, Joy    DOB", "WRIGHT, Joy"),
        ("Signed: John Smith, MD", "John Smith"),
        ("Electronically signed by Will Park, MD on May 30", "Will Park"),
        ("referred by Gregory Van der Berg for", "Gregory Van der Berg"),
        ("her husband Brandon Nelson at (310) 253-6617", "Brandon Nelson"),
        ("RE: Melissa A. Love (DOB", "Melissa A. Love"),
        ("Priya Miller is a 48 y/o female", "Priya Miller"),
        ("医师签名：Pamela Allen　2022/7/14", "Pamela Allen"),
        ("致：Dr. Catherine MacLeod", "Catherine MacLeod"),
    ],
)
def test_english_names_are_found_in_context(text: str, name: str) -> None:
    assert name in found_kind(text, "NAME")


def test_a_lone_surname_of_a_named_person_is_found_later() -> None:
    assert found_kind("Signed: John Smith, MD. Smith reviewed the slides.", "NAME") == ["John Smith", "Smith"]


@pytest.mark.parametrize(
    "text",
    [
        "The Patient presented with fever.",
        "Hodgkin lymphoma, Burkitt lymphoma and Waldenström macroglobulinemia were considered.",
        "Ann Arbor stage IIA; Lugano classification.",
        "Name: QQ 12345678",
    ],
)
def test_capitalised_clinical_words_are_not_names(text: str) -> None:
    assert found_kind(text, "NAME") == []


def test_the_surname_list_holds_single_and_compound_surnames() -> None:
    single, compound = surnames()
    assert {"王", "李", "张", "刘", "陈"} <= single
    assert {"欧阳", "司马", "诸葛", "上官", "尉迟"} <= compound
    assert len(single) > 400


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("经治医师：周海涛", "周海涛"),
        ("进修医师 林小雨 记录", "林小雨"),
        ("实习医生王磊协助查体", "王磊"),
        ("护士长刘芳巡视病房", "刘芳"),
        ("责任护士：陈静", "陈静"),
        ("记录者：孙立", "孙立"),
        ("审核者:郑国华", "郑国华"),
        ("医师签字：黄晓明", "黄晓明"),
        ("住院医师（签名）：郜笙屹", "郜笙屹"),
        ("医师签章：荆泓麒（盖章）", "荆泓麒"),
        ("监护人 赵玉兰", "赵玉兰"),
        ("陪同者：钱丽", "钱丽"),
        ("床位医生：彭涛", "彭涛"),
        ("由濮黛珂护士执行医嘱", "濮黛珂"),
        ("洪俊杰教授会诊意见", "洪俊杰"),
    ],
)
def test_every_clinical_role_cues_a_chinese_name(text: str, name: str) -> None:
    assert found_kind(text, "NAME") == [name]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("患者之兄马建国代诉病史", "马建国"),
        ("其弟朱小军拒绝签字", "朱小军"),
        ("孙子胡涛代诉病史", "胡涛"),
        ("患者之姊乜舜舜代诉病史", "乜舜舜"),
        ("由妻子何秀英陪同来院", "何秀英"),
        ("患者由其女儿杨丽陪同就诊", "杨丽"),
        ("由张建华陪同来院", "张建华"),
        ("紧急联系人：禤钊蔚，与患者关系：妻子", "禤钊蔚"),
    ],
)
def test_kinship_words_cue_a_chinese_name(text: str, name: str) -> None:
    assert found_kind(text, "NAME") == [name]


def test_both_parties_of_a_proxy_line_are_names() -> None:
    assert found_kind("委托人：冼彧　受托人：亓樾琰", "NAME") == ["冼彧", "亓樾琰"]


def test_one_character_kinship_labels_cue_names_before_a_colon() -> None:
    assert found_kind("母：唐秀兰 父：萧建", "NAME") == ["唐秀兰", "萧建"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("韩梅，女，45岁，因发热入院", "韩梅"),
        ("| 许文博 | 男 | 62岁 |", "许文博"),
        ("吴建平（丈夫）电话已留", "吴建平"),
    ],
)
def test_a_chinese_name_is_read_back_from_its_sex_or_bracketed_relation(text: str, name: str) -> None:
    assert found_kind(text, "NAME") == [name]


def test_names_listed_after_a_cue_are_all_found() -> None:
    assert found_kind("抄送：吴志明、亓骞沛", "NAME") == ["吴志明", "亓骞沛"]
    assert found_kind("cc: Lian Shu, MD; OYELARAN, Ambrose", "NAME") == ["Lian Shu", "OYELARAN, Ambrose"]


def test_a_table_cell_after_a_name_label_is_a_name() -> None:
    assert found_kind("| 姓名 | 许文博 | 性别 | 男 |", "NAME") == ["许文博"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Dictated by: Michael J. Thompson, MD", "Michael J. Thompson"),
        ("Electronically signed by Sarah O'Connor on 03/04/2023", "Sarah O'Connor"),
        ("Attending: Robert Smith-Jones", "Robert Smith-Jones"),
        ("Resident: Kevin Brown", "Kevin Brown"),
        ("Jennifer Adams, RN", "Jennifer Adams"),
        ("Laura Chen, PA", "Laura Chen"),
        ("Mark Wilson, APRN", "Mark Wilson"),
        ("cc: David Miller", "David Miller"),
        ("He lives with his wife Linda.", "Linda"),
        ("Accompanied by daughter Mary.", "Mary"),
        ("Prof. Hans Müller reviewed the slides", "Hans Müller"),
        ("Interpreter Ezekiel Kowalczyk present for the visit", "Ezekiel Kowalczyk"),
        ("Grossed by: B. Kowalczyk", "B. Kowalczyk"),
        ("Thank you for referring BAPTISTE, Winifred to our clinic.", "BAPTISTE, Winifred"),
        ("Reviewed by: DeLuca, Cormac, MD", "DeLuca, Cormac"),
        ("Case discussed with Thaddeus Vandermeer (charge nurse).", "Thaddeus Vandermeer"),
        ("Lindqvist, Delphine, RN, administered the dose", "Lindqvist, Delphine"),
    ],
)
def test_english_role_titles_and_kinship_cue_names(text: str, name: str) -> None:
    assert name in found_kind(text, "NAME")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("patient zhang wei was admitted", "zhang wei"),
        ("Patient: 阙澍 (que shu)", "que shu"),
        ("Family contact: 甄锴 / zhen kai, +8616680737521", "zhen kai"),
        ("jing wei, RN, administered the dose", "jing wei"),
        ("Patient CHAN Tai Man", "CHAN Tai Man"),
        ("Mr. Wong Ka Fai", "Wong Ka Fai"),
        ("Patient: Chang Chih-Ming", "Chang Chih-Ming"),
        ("Electronically signed by Yue-Hong Lu, MD", "Yue-Hong Lu"),
        ("Name: Xu, Ming", "Xu, Ming"),
    ],
)
def test_romanised_chinese_names_in_any_case_and_romanisation(text: str, name: str) -> None:
    assert name in found_kind(text, "NAME")


@pytest.mark.parametrize(
    "text",
    [
        "进修医师查房后予化疗。",
        "夜班护士巡视病房。",
        "责任护士已宣教。",
        "免疫组化：CD20(+), CCND1(-), SOX11(-)",
        "The patient he was seeing had fever.",
        "his wife was present; her son is a nurse.",
        "性别：男，年龄：45岁",
    ],
)
def test_new_cues_do_not_read_roles_or_clinical_words_as_names(text: str) -> None:
    assert found_kind(text, "NAME") == []


def test_a_romanised_road_with_a_number_is_still_an_address() -> None:
    assert found_kind("Address: 88 Jianguo Lu, Chaoyang District", "ADDRESS") == ["88 Jianguo Lu, Chaoyang District"]


def test_a_heading_name_that_runs_into_an_age_statement_is_one_name() -> None:
    text = "DELACROIX, Tamsin Delacroix is a 61-year-old woman."
    assert found_kind(text, "NAME") == ["DELACROIX, Tamsin Delacroix"]


def test_a_word_before_a_comma_is_not_taken_into_a_name_it_does_not_repeat() -> None:
    assert found_kind("Fever, Chills, John Smith is a 45-year-old man.", "NAME") == ["John Smith"]


def test_a_lower_case_romanised_name_continues_a_list() -> None:
    assert found_kind("cc: Ji Yan, MD; chen jijun", "NAME") == ["Ji Yan", "chen jijun"]


def test_a_person_told_by_phone_is_a_name() -> None:
    assert found_kind("已电话告知蔡佩君（+86-15643975932）复查时间。", "NAME") == ["蔡佩君"]
    assert found_kind("已告知患者及家属病情。", "NAME") == []


# --- names in letters, reports and forms without a named cue (dev3 families) ---------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("诊断医师：葛昊天　　复核医师：沈静宜", ["葛昊天", "沈静宜"]),
        ("取材：鲁宏　　制片：秦晓燕　　诊断：闵子骞", ["鲁宏", "秦晓燕", "闵子骞"]),
        ("记录：邹明轩　2023年5月4日", ["邹明轩"]),
        ("一助：常建国　　麻醉医师：宁晓", ["常建国", "宁晓"]),
    ],
)
def test_a_name_filling_a_form_field_after_a_person_label_is_a_name(text: str, name: list[str]) -> None:
    assert found_kind(text, "NAME") == name


def test_a_weak_surname_after_a_sign_off_step_that_is_no_person_noun_is_left() -> None:
    assert found_kind("制片：齐晓燕", "NAME") == []


def test_a_form_field_value_that_runs_on_is_not_read_as_a_name() -> None:
    assert found_kind("诊断：高热待查　　结果：阴性", "NAME") == []


def test_a_latin_name_in_a_chinese_form_field_is_a_name() -> None:
    assert found_kind("复核医师：Mairead Quinn　　报告日期：2021/4/10", "NAME") == ["Mairead Quinn"]


def test_a_form_label_spaced_out_by_full_width_spaces_still_names_its_value() -> None:
    assert found_kind("姓　　名：韦思远　　性　　别：男", "NAME") == ["韦思远"]


def test_a_chinese_name_on_a_line_of_its_own_is_a_signature() -> None:
    assert found_kind("此致\n敬礼！\n殷文博\n2018.09.20", "NAME") == ["殷文博"]


def test_letter_formulae_and_headings_on_their_own_line_are_not_names() -> None:
    assert found_kind("此致\n敬礼\n查体\n方案", "NAME") == []


def test_the_signature_under_an_english_valediction_is_a_name() -> None:
    assert found_kind("Yours sincerely,\n\nAoife Brennan\n", "NAME") == ["Aoife Brennan"]


def test_a_name_followed_by_a_post_is_a_name() -> None:
    assert found_kind("R. Okoye — Consultant Haematologist", "NAME") == ["R. Okoye"]
    assert found_kind("Imran Qureshi\nSpecialty Registrar\n", "NAME") == ["Imran Qureshi"]


def test_a_label_before_a_post_line_is_not_a_name() -> None:
    assert found_kind("Consultant Haematopathologist\nSecretary: none", "NAME") == []


@pytest.mark.parametrize("role", ["haematology", "SpR", "Consultant", "daughter-in-law"])
def test_a_name_before_a_bracketed_specialty_grade_or_in_law_is_a_name(role: str) -> None:
    assert found_kind(f"Discussed: Tomas Lindgren ({role}).", "NAME") == ["Tomas Lindgren"]


def test_a_chinese_name_before_an_english_bracketed_relation_is_a_name() -> None:
    assert found_kind("Family: 卓文静 (sister), 182-5095-2343", "NAME") == ["卓文静"]


def test_a_name_after_a_verb_before_a_bracketed_relation_is_a_name() -> None:
    assert found_kind("委托万婧（父亲）代为办理出院手续。", "NAME") == ["万婧"]
    assert found_kind("陪同王明（儿子）来院。", "NAME") == ["王明"]


def test_a_name_after_a_one_character_verb_before_a_title_is_a_name_even_with_a_weak_surname() -> None:
    assert found_kind("请危淳婧教授会诊。", "NAME") == ["危淳婧"]


def test_a_weak_surname_alone_after_zunjingde_and_before_a_title_is_a_name() -> None:
    assert found_kind("尊敬的向主任：", "NAME") == ["向"]


def test_a_weak_surname_with_mou_before_a_possessive_is_a_name() -> None:
    assert found_kind("患者安某之父亲来院。", "NAME") == ["安某"]


def test_a_relative_named_before_a_verb_of_consent_is_a_name_even_with_a_weak_surname() -> None:
    assert found_kind("家属文淳澄签字同意行骨髓穿刺术。", "NAME") == ["文淳澄"]


def test_tongzhi_is_a_verb_not_a_name_before_a_title() -> None:
    assert found_kind("，通知上级医师。", "NAME") == []


def test_every_single_surname_of_the_baijiaxing_is_known() -> None:
    single, compound = surnames()
    assert {"步", "贝", "习", "竺", "经"} <= single
    assert {"公羊", "闾丘", "归海"} <= compound


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Last name: Wei    First name: Yanda", ["Wei", "Yanda"]),
        ("Surname: OKAFOR    Forename(s): Chidi    DOB", ["OKAFOR", "Chidi"]),
    ],
)
def test_form_fields_separated_by_several_spaces_are_separate_names(text: str, name: list[str]) -> None:
    assert found_kind(text, "NAME") == name


def test_a_label_with_a_bracketed_note_names_the_person_after_it() -> None:
    assert found_kind("Interpreter (Mandarin): W. Rivers", "NAME") == ["W. Rivers"]


def test_a_relative_in_brackets_after_the_relation_is_a_name() -> None:
    assert found_kind("The patient's mother (Astrid Holm) gave consent.", "NAME") == ["Astrid Holm"]


def test_initials_before_a_surname_after_by_are_a_name() -> None:
    assert found_kind("Gross description dictated by G. van den Broek; cut by K.O. Bone.", "NAME") == [
        "G. van den Broek",
        "K.O. Bone",
    ]


def test_an_initial_after_a_unit_or_a_label_is_not_a_name() -> None:
    assert found_kind("beta-2 microglobulin 3.1 mg/L. Bone marrow biopsy. Stage: A. Repeat CT.", "NAME") == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Present at MDT: Bonnie C. Bell, Luo Chengji, N. Lamb", ["Bonnie C. Bell", "Luo Chengji", "N. Lamb"]),
        ("In attendance: Dr Ama Mensah; Prof. Ilse Berg", ["Ama Mensah", "Ilse Berg"]),
    ],
)
def test_every_name_in_a_list_of_people_present_is_a_name(text: str, name: list[str]) -> None:
    assert found_kind(text, "NAME") == name


def test_a_role_abbreviation_in_a_copy_list_is_not_a_name() -> None:
    assert found_kind("cc: GP; General Practitioner", "NAME") == []


def test_a_name_signing_an_addendum_with_its_date_is_a_name() -> None:
    assert found_kind("Addendum (Andrés Swan, January 19, 2023): flow cytometry", "NAME") == ["Andrés Swan"]


def test_a_name_by_whom_something_was_done_at_a_time_is_a_name() -> None:
    assert found_kind("Result phoned by Heidi Noble at 10:42.", "NAME") == ["Heidi Noble"]


def test_a_name_opening_a_sentence_about_an_admission_is_a_name() -> None:
    assert found_kind("Park Ji-yeon was admitted on 2021-07-30.", "NAME") == ["Park Ji-yeon"]


def test_a_romanised_surname_that_is_an_english_word_is_a_name_after_a_title() -> None:
    assert found_kind("cc: Mr He (patient)", "NAME") == ["He"]
    assert found_kind("Copy to: Dr An, ward 5", "NAME") == ["An"]


def test_a_pinyin_surname_with_initials_is_a_name() -> None:
    assert found_kind("Tumour board: Su Z (haematology)", "NAME") == ["Su Z"]


def test_a_month_is_a_first_name_when_a_surname_follows_it() -> None:
    assert found_kind("Seen by: June dos Santos (SpR)", "NAME") == ["June dos Santos"]
    assert found_kind("Reviewed by: May Okafor, MD", "NAME") == ["May Okafor"]


def test_names_with_latin_extended_letters_and_capitals_are_read_whole() -> None:
    assert found_kind("Signed: Małgorzata Wiśniewska, MBBS", "NAME") == ["Małgorzata Wiśniewska"]
    assert found_kind("Patient: FERNÁNDEZ, Agnieszka M.    Accession", "NAME") == ["FERNÁNDEZ, Agnieszka M."]


def test_a_latin_name_before_a_chinese_title_is_a_name() -> None:
    assert found_kind("请Ruby Payne教授会诊", "NAME") == ["Ruby Payne"]


def test_a_camel_case_surname_keeps_its_possessive_outside_the_name() -> None:
    assert found_kind("Mr MacKenzie's mother asked about the prognosis.", "NAME") == ["MacKenzie"]


def test_one_word_in_capitals_in_a_chinese_form_field_is_not_a_name() -> None:
    assert found_kind("制片：HE染色", "NAME") == []


def test_a_department_in_a_copy_list_is_not_a_name() -> None:
    assert found_kind("Copy to: Haematology Day Unit", "NAME") == []


@pytest.mark.parametrize(
    "text",
    [
        "Re: Imogen Tallis (DOB 3/5/1950)",
        "Thank you for seeing Imogen Tallis, a 54-year-old teacher.",
        "Imogen Tallis, DOB 03/05/1950",
    ],
)
def test_a_name_followed_by_an_age_in_apposition_or_its_date_of_birth_is_a_name(text: str) -> None:
    assert found_kind(text, "NAME") == ["Imogen Tallis"]


def test_a_chinese_name_followed_by_its_record_number_in_brackets_is_a_name() -> None:
    assert found_kind("委托王明宇（住院号：ZY202300123）办理。", "NAME") == ["王明宇"]


def test_a_stage_before_an_age_in_apposition_is_not_a_name() -> None:
    assert found_kind("Stage IV, a 54-year-old", "NAME") == []


def test_singapore_and_european_honorifics_are_titles() -> None:
    assert found_kind("Mdm Tan Siew Ling and Frau Ilse Berg", "NAME") == ["Tan Siew Ling", "Ilse Berg"]


def test_a_role_prefix_before_a_title_is_not_a_name() -> None:
    assert found_kind("经管医生：尤嘉怡", "NAME") == ["尤嘉怡"]


def test_a_name_after_a_role_and_a_copula_is_a_name() -> None:
    assert found_kind("主管医生是姚振宇。", "NAME") == ["姚振宇"]
    assert found_kind("患者为男性，医生为其制定方案。", "NAME") == []


def test_a_name_in_brackets_after_a_chinese_relation_or_role_is_a_name() -> None:
    assert found_kind("患者母亲（严秀兰）代诉病史。", "NAME") == ["严秀兰"]
    assert found_kind("检查（血常规）", "NAME") == []


def test_a_relation_and_a_name_in_one_bracket_give_the_name() -> None:
    assert found_kind("与家属（侄子，郝建军）沟通。", "NAME") == ["郝建军"]


def test_a_blank_to_sign_on_before_the_printed_name_is_skipped() -> None:
    assert found_kind("签名：________　熊立新", "NAME") == ["熊立新"]


def test_a_name_before_a_bracketed_practitioner_in_ist_is_a_name() -> None:
    assert found_kind("Biopsy taken by Ines Carvalho (endoscopist).", "NAME") == ["Ines Carvalho"]


def test_a_name_after_an_informal_greeting_or_closing_is_a_name() -> None:
    assert found_kind("Hi Tom, thanks for the referral.", "NAME") == ["Tom"]
    assert found_kind("Best,\nAnneliese", "NAME") == ["Anneliese"]
    assert found_kind("Best regards,\nHaematology Team", "NAME") == []


def test_a_chinese_name_before_an_age_in_a_header_is_a_name() -> None:
    assert found_kind("患者女，龚秀英，68岁", "NAME") == ["龚秀英"]
    assert found_kind("既往体健，65岁", "NAME") == []


def test_an_assistant_in_an_operation_team_is_a_name() -> None:
    assert found_kind("主刀：聂卫东；助手：莫小凡", "NAME") == ["聂卫东", "莫小凡"]


def test_a_chinese_name_after_a_slash_following_its_romanised_form_is_a_name() -> None:
    assert found_kind("Ref: Wu Haitao / 邬海涛", "NAME") == ["Wu Haitao", "邬海涛"]


def test_a_cue_with_a_short_bracketed_note_before_its_colon_names_the_person() -> None:
    assert found_kind("患者家属（妻）：柏玉华", "NAME") == ["柏玉华"]


def test_a_name_presented_by_before_a_training_grade_is_a_name() -> None:
    assert found_kind("The case was presented by Ji-Hoon Kang, PGY-3.", "NAME") == ["Ji-Hoon Kang"]


def test_a_name_after_a_bed_number_is_a_name() -> None:
    assert found_kind("床旁交班：12床 饶世杰，发热。", "NAME") == ["饶世杰"]
    assert found_kind("12床饶世杰今日体温正常。", "NAME") == ["饶世杰"]
    assert found_kind("3床患者今日出院。", "NAME") == []


def test_a_verb_of_discussion_after_a_relative_is_not_a_name() -> None:
    assert found_kind("经与患者配偶商议（配偶：雷淑珍），同意化疗。", "NAME") == ["雷淑珍"]


def test_an_english_label_in_capitals_names_the_person_after_it() -> None:
    assert found_kind("SURGEON: GALLAGHER, Sean P.", "NAME") == ["GALLAGHER, Sean P."]


def test_an_eponym_that_is_a_surname_is_a_name_after_a_title_or_a_first_name() -> None:
    assert found_kind("Seen by Dr. Reed in clinic.", "NAME") == ["Reed"]
    assert found_kind("Patient: Mary Reed", "NAME") == ["Mary Reed"]
    assert found_kind("Hodgkin Reed-Sternberg cells; Richter transformation; Epstein-Barr virus", "NAME") == []


def test_a_saint_prefix_is_part_of_a_surname() -> None:
    assert found_kind("Name: Anne St. Clair", "NAME") == ["Anne St. Clair"]


@pytest.mark.parametrize(("text", "name"), [("患者王心怡，女，25岁。", "王心怡"), ("家属李之涣签字。", "李之涣")])
def test_a_given_name_may_begin_with_a_character_that_usually_ends_one(text: str, name: str) -> None:
    assert found_kind(text, "NAME") == [name]


def test_a_name_character_that_usually_ends_one_still_ends_a_name_before_more_text() -> None:
    assert found_kind("患者王进食后呕吐，患者李明心悸。", "NAME") == ["李明"]


@pytest.mark.parametrize(
    "text",
    [
        "Attendees: Haematology, Radiology, Clinical Nurse Specialist",
        "Copy to: Patient; File",
        "cc: Medical Records",
        "Thanks,\nWard 5B",
        "Discussed at Tumour Board (haematology).",
        "Kind regards,\nThe Lymphoma Team",
    ],
)
def test_departments_records_and_wards_in_people_slots_are_not_names(text: str) -> None:
    assert found_kind(text, "NAME") == []


def test_a_word_that_is_a_surname_is_a_name_after_a_first_name_or_a_title() -> None:
    assert found_kind("转诊医师：Eric Ward　联系电话", "NAME") == ["Eric Ward"]
    assert found_kind("Seen by Dr Ward.", "NAME") == ["Ward"]


def test_a_role_after_a_modifier_before_its_colon_names_the_person() -> None:
    assert found_kind("Reporting pathologist: Lars Eklund", "NAME") == ["Lars Eklund"]
    assert found_kind("Fixed in formalin: 10% NBF", "NAME") == []


def test_a_neighbour_named_after_the_relation_is_a_name() -> None:
    assert found_kind("She lives alone; her neighbour Gwen checks on her daily.", "NAME") == ["Gwen"]


def test_a_salutation_to_a_colleague_names_no_one() -> None:
    assert found_kind("Dear Colleague,", "NAME") == []


def test_a_name_before_a_relation_in_apposition_is_a_name() -> None:
    assert found_kind("Harriet, her daughter, accompanied her.", "NAME") == ["Harriet"]


def test_a_name_after_a_role_noun_and_a_comma_is_a_name() -> None:
    assert found_kind("Seen alongside F1 doctor, Ruth Abernethy.", "NAME") == ["Ruth Abernethy"]


def test_an_initial_without_its_period_after_a_title_is_part_of_the_name() -> None:
    assert found_kind("GP: Dr A Ramaswamy, Elm Tree Surgery", "NAME") == ["A Ramaswamy"]
    assert found_kind("Patient: A 45-year-old man", "NAME") == []


def test_patient_details_is_a_label() -> None:
    assert found_kind("Patient details: Edwin Marsh-Patel, 14/02/1951", "NAME") == ["Edwin Marsh-Patel"]
