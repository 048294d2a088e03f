"""Personal names in Chinese, pinyin and English clinical text.

Chinese names are a surname from the shipped list (``data/surnames.txt``: 单姓, 复姓 and the
traditional forms of common ones) and one or two given characters, taken where context says
a person is meant: after 患者/姓名/家属/联系人/签名, any clinical role (经治/进修/实习/值班医师,
护士长, 记录者, 审核者, 受托人, 抄送 …, also in table cells and before （签名）：), a kinship word
(其弟, 孙子, 母：); before a title or kinship word (医生, 主任, 护士, 先生, 同志, 之子 …), the
person's sex in a header (韩梅，女，45岁) or a bracketed relation (吴建平（丈夫）); in 由X陪同;
or as 张某/王某某. Given characters stop at characters that almost never occur in given names
but often follow one (男, 因, 于, 入, 诉 …), so 患者张三因发热入院 yields 张三. Surnames that are
also everyday function words (于, 和, 由 …) need a strong cue (姓名：, a title after them).
Romanised Chinese names are a pinyin, Cantonese or Wade-Giles surname and a given name of one
or two syllables in either order (Zhang San, ZHANG San, Xiaoming Zhang, Chang Chih-Ming, CHAN
Tai Man), and in lower case after a cue, after the Chinese form or before a degree (patient
zhang wei, 阙澍 (que shu), jing wei, RN). English names are taken after a title (Dr., Prof.),
a label or role (Patient:, Attending:, cc:, Interpreter, Dictated by, his wife, daughter …,
with "Last, First" forms), before a degree (", MD", ", RN", ", PA"), a bracketed role
("(attending)") or an age statement. Names after a found one in a list (、 or ;) are names too,
and once a name is found its other mentions in the same text are found, including a lone
surname of an English name in either case.

Letters, reports and forms also name people where no named cue stands (general families, each
tested in tests/deid/text/test_names.py): the whole value of a form field or table cell whose
label ends in a person word (诊断医师：X　　复核医师：Y, 取材：X　制片：Y, 记录：X　date, ｜一助｜X｜,
姓　　名：X; two spaces or a tab separate English fields too), a signature line (a name alone on
a line, under 此致 敬礼 or "Yours sincerely,"), a name before its post ("— Consultant
Haematologist", a next line "Specialty Registrar") or a bracketed specialty, grade or relation
("(haematology)", "(SpR)", "(daughter-in-law)", "(brother)" after 潘怀仲), lists of the people
present ("Present at MDT: A, B, C"), attributions ("Addendum (X, date)", "by X at 10:42"), a
relative in brackets after the relation ("his mother (X)", 患者母亲（X）, （侄子，X）), initials and
a surname after by/to/with ("K.O. Bone"), a name before "was admitted", ", a 54-year-old",
"(DOB …)" or （住院号…）, a bed number (12床X), and Chinese names that run on from a one-character
verb before a title or relation (请X教授, 委托X（父亲）), strong readings first. Surnames that are
everyday words still need such a cue; eponyms that are surnames (Reed, Richter) are names only
after a title or a first name, the clinical terms being protected spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

from pypinyin import Style, lazy_pinyin

from huizhen.deid.text.language import HAN
from huizhen.deid.text.lexicon import trie_pattern

Finding = tuple[int, int, str, int]

# Surnames that also begin everyday words after 患者/医生 (于, 和, 由, 呼吸, 皮疹, 初诊 …): taken
# with a strong cue, a title after them, or when the name ends at punctuation.
WEAK_SURNAMES = frozenset(
    "于和由向时全那来门平计相初国公信展智富花海强原南明文常成安齐易关包宁尚单华阳司古吉项连应边师商沙荣乐满位区"
    "权豆盖井巴丰支云都普戈伏干但元衣利居双越呼皮阴闭母危甘左查方管毕冷卫能同次首即"
    "水凤家山秋暴从咸通别充鱼慎终弘广东空养须后红益法年爱言福寿扶怀松经步宰习贲滑糜弓仰苍堵毋墨汝蔚牧融"
)
# Characters that end a given name: rare inside names, frequent right after one.
_STOP = (
    "男女因于自既往入出院诉以主无般神目前术后病情年岁日周次例名个的是在与及或等有不未已经曾再又并且而但被把亲"
    "将对向从到至为由给让使所该其此本各每某今昨前后上下左右内外多少低全半近旧短负性状型期级度量率值数项治疗检查诊"
    "断术用药服予行示见显提考虑能疑似伴合并热痛咳血压糖脂心肺肝肾脑胃肠骨皮肤淋巴细胞瘤癌炎症病变常规复随访现持续"
    "反复进逐渐突床号科室医护士师任授先姐院教属之妻母父您你我他她们签字别龄族职婚址话电住身份证码来去回就转收"
    "做打拿要想说讲问答听看叫称系请约意拒绝陪及时房协巡代执嘱述告知议"
)
_GIVEN = f"[^\\W\\d_A-Za-z{_STOP}]"
# Characters of _STOP that also begin given names (心怡, 之涣, 进军, 全胜): allowed first, before a
# second given character that ends the name.
_STOP_NAME_CHARS = "心之进全"
# One-character verbs and prepositions before a name and its title (请危淳婧教授, 经查韬鹤医师介绍).
_VERB_BEFORE_NAME = "请经由让给叫找知与和同向在被及将把为对"
# Verbs that follow a relative's or a doctor's name in a record (家属文淳澄签字同意): they end a name
# even after a weak surname.
_VERB_AFTER_NAME = "(?:签字|签署|签名|同意|表示|要求|拒绝|代诉|陪同|来院|到院|接诊|查房|会诊|主持)"
# Cues that name a person next. Strong ones may precede a weak surname.
# Cues that name a person next, as word lists (compiled into tries: see lexicon.py). Strong
# ones stand before a colon, or are 尊敬的, and may precede a weak surname.
_STRONG_WORDS = """
    姓名 患者姓名 病人姓名 患儿姓名 签名 签字 医师签名 医生签名 报告医师 报告医生 报告者 报告人 审核 审核医师 审核医生
    审核者 审核人 复核 复核医师 复核医生 复核者 复核人 诊断医师 诊断医生 主治医师 主治医生 主管医师 经治医师 经治医生
    住院医师 主任医师 副主任医师 会诊医师 会诊医生 送检医师 送检医生 申请医师 申请医生 转诊医师 转诊医生 接诊医师
    接诊医生 记录者 记录人 联系人 监护人 委托人 代理人 紧急联系人 家属 配偶 母亲 父亲 儿子 女儿 丈夫 妻子 翻译 译者
    校对 审校 致 经治医生 主治医生 主管医生 住院医生 进修医师 进修医生 实习医师 实习医生 规培医师 规培医生 床位医生
    床位医师 管床医生 管床医师 值班医生 值班医师 上级医生 上级医师 主诊医生 主诊医师 责任医生 责任医师 开单医生
    开单医师 主刀医生 主刀医师 术者 麻醉医生 麻醉医师 护士 护士长 责任护士 主管护士 护师 主管护师 技师 药师 记录医师
    记录医生 书写者 书写医师 检查者 检查医师 检查医生 操作者 操作医师 操作医生 阅片医师 阅片医生 诊断者 取材医师
    制片人 采样人 送检人 送检者 医生姓名 医师姓名 家属姓名 联系人姓名 监护人姓名 陪同者 陪同人 代诉人 陈述者
    病史陈述者 病史提供者 供史者 知情同意人 授权人 被授权人 法定代理人 签字人 签名人 见证人 申请人 患者家属
    爱人 老伴 哥哥 弟弟 姐姐 妹妹 孙子 孙女 外孙 外孙女 儿媳 女婿 祖父 祖母 外公 外婆 爷爷 奶奶 继父 继母 养父 养母
    岳父 岳母 公公 婆婆 叔叔 舅舅 姑姑 阿姨 侄子 侄女 外甥 外甥女 兄长 胞兄 胞弟 胞姐 胞妹 受托人 被委托人 签章 医师签章
    医生签章 签名盖章 抄送 抄报 副本 经办人 经手人 操作人 执行人 执行护士 核对人 核对者 发药人 交班人 接班人
    助手 第一助手 第二助手 一助 二助 器械护士 巡回护士 洗手护士
    申请会诊医师 申请会诊医生 会诊申请人 邀请医师 受邀医师 主持人 参加人员 参会人员 出席人员 讨论人员 汇报人 汇报者
    夜班护士 白班护士 值班护士 床位护士 随访者 随访人 随访医生 随访护士 通知人 告知对象 谈话对象 谈话医师 谈话医生
"""
_KIN_LABELS = "父 母 妻 夫 子 女 儿 兄 弟 姐 妹 孙 媳 侄 婿 甥 夫妻 父母 子女"
_SOFT_WORDS = """
    患者 病人 患儿 病儿 产妇 孕妇 伤者 家属 其子 其女 其妻 其夫 其母 其父 配偶 母亲 父亲 儿子 女儿 丈夫 妻子 弟弟 哥哥
    姐姐 妹妹 联系人 医师 医生 大夫 护士 教授 主任 签名 签字 送检医生 送检医师 申请医生 申请医师 经治医生 主治医生
    主管医生 上级医生 转诊医生 转诊医师 之子 之女 之妻 之夫 之母 之父 患者之子 患者之女 之兄 之弟 之姐 之妹 之孙
    之姊 其姊 姊姊 其兄 其弟 其姐 其妹 其孙 其孙女 其夫人 其爱人 其配偶 其丈夫 其妻子 其儿子 其女儿 其母亲 其父亲
    之媳 之侄 之婿 之甥 之孙女 之儿媳 之女婿 之侄子 之侄女 之外甥 其媳 其侄 其儿媳 其女婿 其侄子 其侄女 其外甥
    爱人 老伴 孙子 孙女
    外孙 外孙女 儿媳 女婿 祖父 祖母 外公 外婆 爷爷 奶奶 侄子 侄女 外甥 外甥女 胞兄 胞弟 胞姐 胞妹 护士长 责任护士
    主管护士 护师 进修医生 进修医师 实习医生 实习医师 规培医生 规培医师 住院医生 住院医师 主治医师 主任医师 床位医生
    管床医生 值班医生 值班医师 上级医师 主诊医生 主诊医师 主刀医生 术者 记录者 审核者 签字人 陪同者 陪同人 监护人
    委托人 代理人 紧急联系人 告知 通知 电话告知 电话通知
"""
_EN_TITLE_WORDS = """
    Dr Mr Mrs Ms Miss Mx Prof Professor Doctor Nurse Sister Sir Dame Madam Mme Mlle Rev dr mr mrs ms prof
    Mdm Mstr Master Herr Frau Sra Srta Sr
"""
_EN_LABEL_WORDS = """
    Patient|Patient name|Patient Name|Patient's name|Pt|Pt.|Pt name|Full name|Given name|Family name|Last name|
    Patient details|Patient identity|Identity|Identified as|
    First name|Name|NAME|Contact|contact|Contact person|Family contact|Emergency contact|Next of kin|Guardian|
    Spouse|Wife|Husband|Mother|Father|Son|Daughter|Attending|Attending physician|Referring physician|
    Referring doctor|Referring clinician|Physician|Pathologist|Radiologist|Surgeon|Consultant|Resident|Fellow|Nurse|
    Translator|Interpreter|Verifier|Verified by|Translated by|To|From|Attn|cc|CC|Cc|Re|RE|PCP|
    Primary care physician|Primary care provider|Primary physician|Provider|Ordering physician|Ordering provider|
    Requesting physician|Requesting provider|Clinician|Author|Case manager|Social worker|Caregiver|Witness|Chaperone|
    Proxy|Health care proxy|Healthcare proxy|POA|Technologist|Sonographer|Scribe|Anesthesiologist|Oncologist|
    Hematologist|Intern|Nurse practitioner|Physician assistant|Charge nurse|Primary nurse|Reviewer|Informant|
    Historian|Relative|Brother|Sister|Partner|Grandson|Granddaughter|Aunt|Uncle|Niece|Nephew|Legal guardian|
    Next-of-kin|NOK|Parent|Parents|Signature|Mother's name|Father's name|Spouse name|Contact name|Copy to|Copies to|
    Forename|Forenames|Forename(s)|Surname|Surnames|Given names|Given name(s)|First names|Christian name|Middle name|
    Maiden name|Preferred name|Known as|Alias|AKA|Secretary|Registrar|SpR|SHO|GP|Keyworker|Key worker|CNS|Assistant|
    Scrub nurse|Anaesthetist|Anesthetist|Operating surgeon|Assistant surgeon|First assistant|Medical secretary|
    Dictated|Signed by|Recorded by|Accompanied by|Relationship|Attending surgeon|Attending pathologist|
    Attending of record|Responsible physician|Treating physician|Primary oncologist|Consulting physician|RN|NP|PA|MD
"""
_EN_VERB_WORDS = """
    Signed|signed|Signed by|signed by|Electronically signed by|electronically signed by|Referred by|referred by|
    Reviewed by|reviewed by|Dictated by|dictated by|Transcribed by|transcribed by|Approved by|approved by|
    Reported by|reported by|Seen by|seen by|Examined by|examined by|Consulted with|consulted with|
    Thank you for seeing|thank you for seeing|seeing|Dear|dear|Hi|Hello|Sincerely|sincerely|Regards|regards|
    Yours sincerely|
    Yours faithfully|Yours truly|refer|to refer|Emergency contact|emergency contact|his husband|his wife|his son|
    his daughter|his mother|his father|his brother|his sister|his partner|his spouse|his guardian|her husband|
    her wife|her son|her daughter|her mother|her father|her brother|her sister|her partner|her spouse|her guardian|
    their son|their daughter|their mother|their father|the patient's husband|the patient's wife|
    the patient's mother|the patient's father|the patient's son|the patient's daughter|his niece|her niece|
    his nephew|her nephew|his friend|her friend|his neighbour|her neighbour|his neighbor|her neighbor|
    his flatmate|her flatmate|his housemate|her housemate|his landlady|her landlady|his landlord|her landlord|
    wife|husband|daughter|son|mother|father|brother|sister|spouse|neighbour|neighbor|
    partner|niece|nephew|grandson|granddaughter|grandmother|grandfather|aunt|uncle|cousin|caregiver|guardian|
    Accompanied by|accompanied by|lives with|married to|Interpreted by|interpreted by|Read by|read by|
    called to|phoned to|paged to|relayed to|communicated to|handed over to|escalated to|discussed with Dr|
    Performed by|performed by|Prepared by|prepared by|Presented by|presented by|Entered by|entered by|
    Authored by|authored by|
    Ordered by|ordered by|Requested by|requested by|Discussed with|discussed with|Spoke with|spoke with|
    Recorded by|recorded by|Witnessed by|witnessed by|Attending|attending|Fellow|fellow|Resident|resident|
    doctor|colleague|registrar|consultant|
    Intern|intern|Copy to|copy to|Interpreter|interpreter|referring|Referring|Grossed by|grossed by|Cut by|cut by|
    Transcribed|Nurse navigator|nurse navigator|Case manager|case manager|Social worker|social worker|Chaplain|chaplain
"""


# Relations written in brackets after a name in English text: 潘怀仲 (brother), 吴敏 (daughter-in-law).
_EN_KIN_WORDS = """
    son daughter wife husband mother father brother sister spouse partner nephew niece grandson granddaughter
    grandmother grandfather aunt uncle cousin friend carer caregiver guardian proxy patient
"""


# Cues before a romanised name in lower case (patient zhang wei), besides the label and title cues.
_LOWER_CUES = ["patient", "Patient", "the patient", "The patient", "pt", "Pt", "name", "Name", "named", "called"]


def _words(text: str, *, sep: str | None = None) -> list[str]:
    return [w.strip() for w in (text.split(sep) if sep else text.split()) if w.strip()]


_ROLE_PREFIXES = """
    进修 实习 规培 值班 夜班 白班 中班 当班 床位 管床 上级 主诊 经治 责任 开单 主刀 麻醉 会诊 接诊 转诊 送检 申请
    诊断 审核 复核 报告 记录 检查 操作 阅片 取材 签字 签名 经管 分管 首诊 专科 主管 病房
"""
_TITLE_WORDS = """
    责任护士 主管护士 主管护师 副主任护师 主任护师 主任技师 护师 技师 药师 师傅 阿姨 大爷 大妈 书记 科长 处长 经理 律师
    研究员 讲师 副主任医师 主任医师 副主任医生 主任医生 主治医师 主治医生 住院医师 住院医生 主管医师 主管医生
    副主任 主任 医生 医师 大夫 副教授 教授 副院长 院长 护士长 护士 老师 先生 女士 小姐 太太 同志 院士 博士
    之子 之女 之妻 之夫 之母 之父 家属 某某 某
"""
# Titles as one trie, longest first at a position, so that 周建国副主任医师 reads the title 副主任医师
# and not 任 + 医师, and 进修医师 is a title whole (its 修 is not a surname before 医师).
_TITLE_AFTER = trie_pattern(
    [*_words(_TITLE_WORDS), *(f"{p}{t}" for p in _words(_ROLE_PREFIXES) for t in ("医师", "医生", "护士"))]
)
# English words that are capitalised but never part of a person's name here.
_EN_NOT_NAME_WORDS = """
    The A An And Of In On At For To From With By Hospital Department Dept Clinic Center Centre University College
    Medical Medicine Institute Cancer Oncology Hematology Haematology Pathology Radiology Surgery Internal General
    People's Peoples First Second Third Affiliated Union Children's Women's Memorial Health System Group Lab Laboratory
    MD PhD DO RN NP PA MBBS FRCP Dr Mr Mrs Ms Miss Prof Professor Patient Name Date Age Sex Male Female Report Diagnosis
    History Signed Referred Dear Sincerely Regards Thank Thanks Please Re RE Subject Room Bed Unit Floor Street
    Road
    Is Was Has Had He She His Her They We I You It This That These Those Who Which Yes No None Not Unknown
    Hodgkin Burkitt Philadelphia Reed Sternberg Epstein Barr Waldenstrom Waldenström Kaposi Castleman Sezary Sézary
    Richter Hashimoto Down Sjogren Sjögren Ann Arbor Lugano Chinese English American China Beijing Shanghai
    Dept. Phone Tel Email Address Fax Consultant Attending Physician Pathologist Note Notes Summary Discharge Admission
    January February March April May June July August September October November December Monday Tuesday Wednesday
    Thursday Friday Saturday Sunday Today Yesterday Tomorrow DOB MRN ID Lymphoma Program Division Service Team
    Resident Fellow Nurse Oncologist Hematologist Mobile Cell Home Work Office QQ WeChat Wechat WX
    Practitioner Registrar Secretary Chaperone Interpreter Surgeon Assistant Anaesthetist Anesthetist Specialist
    Coordinator Navigator Officer Matron Pharmacist Physiotherapist Dietitian Chaplain Scribe Trainee Student
    GP SpR SHO CNS NOK PCP MDT Consultants Present None Nil Patient's
    Stage Grade Type Class Phase Cycle Score Risk II III IV VI VII VIII IX XI XII
    Clinical Nursing Records Record File Files Tumour Tumor Board Ward Pharmacy Services Social Day
    Colleague Colleagues Sirs All Everyone
"""
_EN_NOT_NAME = frozenset(_EN_NOT_NAME_WORDS.split())
_MONTH_NAMES = frozenset(("April", "May", "June", "August"))
# Eponyms and words that are also surnames: names after a title (Dr Reed, Dr Ward) or a first name
# (Mary Reed, Eric Ward), words otherwise (Ward 5B, Tumour Board); the clinical terms (Reed-Sternberg,
# Richter transformation) are protected spans, which a name never overlaps.
_EPONYM_SURNAMES = frozenset(
    _words("Reed Barr Richter Hashimoto Epstein Castleman Kaposi Sternberg Hodgkin Burkitt Ward Day Board Field")
)
_PARTICLES = frozenset(_words("van von der den de da das do dos di du del della la le al el bin ibn ten ter zu af"))
# Specialties and specialists are never names: Haematopathologist, Radiology.
_SPECIALTY = re.compile(r"[A-Z][a-z]*olog(?:y|ist|ists|ical)")
# Lower-case English words that are also pinyin syllables: never the given name before a surname.
_EN_FUNCTION = frozenset(_words("a an and as at be by he in is it me no of on or so to we ha ma"))
# Letters of European names beyond ASCII (Müller, Zoë, Éric; Latin Extended-A: Małgorzata, Wiśniewska)
# count as letters of a word.
_UP, _LOW = "A-ZÀ-ÖØ-Þ\u0100-\u017f", "a-zß-öø-ÿ\u0100-\u017f"
_UP_LATIN1 = "À-ÖØ-Þ"  # capitals of names written in capitals: GUTIÉRREZ
_EN_WORD = (
    rf"(?:St[e]?\.?[ ][A-Z][{_LOW}]+"
    rf"|[A-Z]['’][A-Z][{_LOW}]+|[{_UP}][{_LOW}]*[A-Z][{_LOW}]+|[{_UP}][{_LOW}]+(?:[\-'’][{_UP}]?[{_LOW}]+)?"
    rf"|[A-Z{_UP_LATIN1}]{{2,}}(?:[\-'][A-Z]+)?|[A-Z]['’][A-Z]{{2,}})(?![A-Za-z{_UP}{_LOW}])(?!['’](?!s(?![A-Za-z])))"
)
_EN_PARTICLE = f"(?:{'|'.join(sorted(_PARTICLES, key=len, reverse=True))})"
_EN_NAME = (
    rf"(?:(?:[A-Z]{{2,}}[ ]){{0,2}}[A-Z{_UP_LATIN1}]+(?:[\-'’][A-Z]+)*,[ \t]*[A-Z][{_LOW}]+(?:[\-][A-Za-z][a-z]+)?"
    rf"(?:[ \t]+[A-Z]\.)?"
    rf"|(?:[A-Z]\.[ \t]?){{0,2}}(?:{_EN_PARTICLE}[ ])*(?:{_EN_WORD})"
    rf"(?:[ ](?:[A-Z]\.[ ]?)?(?:{_EN_PARTICLE}[ ])*(?:[A-Z]\.[ ]?)?(?:{_EN_WORD})){{0,2}})"
)
# Words right after a name that make it one: degrees (", MD"), Chinese roles (医生, （主治医师）),
# and an age statement ("is a 48 y/o"). Found first; the name is then read backwards from them.
_AFTER_NAME = re.compile(
    r"(?:MD|M\.D\.|PhD|Ph\.D\.|DO|RN|NP|PA-C|MBBS|FRCP|FRCPath|FACP|MS|MSc|CNP|APRN|DNP|PharmD|MPH|FACS|CRNA|LPN|"
    r"MSN|BSN|FNP|NP-C|MBChB|FRACP|DPhil|R\.N\.|PGY-?\d)(?![A-Za-z])|PA(?![A-Za-z]|[ \t]*\d)"
    # A Chinese title right after a Latin letter or space: "Ruby Payne教授" (only there, so that the
    # many titles after Chinese names are not markers for English names).
    r"|(?<=[A-Za-z ])(?:医生|医师|教授|主任|大夫|先生|女士|副主任|副教授|主治医|住院医|护士"
    r"|[（(](?:主治医师|主任医师|住院医师|副主任医师)[)）])"
    r"|(?:is|was)[ \t]+an?[ \t]+\d{1,3}[ -]?(?:year|y/o|yo|-year)"
    # An age in apposition ("Wang Li, a 54-year-old") and the person's identifiers after the name
    # ("Jane Fox (DOB 3/5/1950)", "Wang Li, DOB", "Tan Ah Kow (born 1948)").
    r"|,[ \t]+an?[ \t]+\d{1,3}[ -]?(?:year|y/o|yo|-year)"
    # A relation in apposition: "Harriet, her daughter, …".
    r"|,[ \t]+(?:his|her|their|the patient's)[ \t]+(?:son|daughter|wife|husband|mother|father|brother|sister|"
    r"partner|spouse|niece|nephew|friend|carer|neighbour|neighbor|grandson|granddaughter)(?![A-Za-z])"
    r"|\((?:DOB|D\.O\.B\.|born|b\.|date of birth|MRN|NHS|Hospital [Nn]o|Hosp\. [Nn]o|NRIC|HKID)"
    r"|,[ \t]*(?:DOB|D\.O\.B\.|date of birth|born)(?![A-Za-z])"
    r"|\((?:attending|fellow|resident|intern|charge nurse|nurse|RN|NP|PA|interpreter|mother|father|wife|husband|son|"
    r"daughter|brother|sister|spouse|partner|guardian|proxy|health care proxy|niece|nephew|friend|caregiver|"
    r"patient|pathologist|radiologist|surgeon|oncologist|hematologist|PCP|referring physician)\)"
    # A bracketed specialty, grade or in-law after a name in an attendance list: X (haematology), Y (SpR).
    r"|\((?:[A-Za-z]+olog(?:y|ist)|[a-z]{3,}ist|(?i:SpR|SHO|registrar|consultant|house officer|FY[12]|GP|"
    r"medical student|trainee|resident physician|attending physician|specialist nurse|nurse specialist|CNS|"
    r"scribe|social worker|dietitian|pharmacist|physiotherapist|chaplain|secretary|coordinator|[a-z]+-in-law|"
    r"next of kin|NOK|carer))\)"
)
# A post on the same line after a dash or comma, or on the next line: "K. Li — Consultant Haematologist".
# (Its own pattern, led by the separator, so that re's scan for a first character still applies.)
_AFTER_NAME_POST = re.compile(
    r"[—–,\n][ \t]*(?:(?:Senior|Specialty|Associate|Assistant|Clinical|Honorary|Locum|"
    r"Staff|Chief|Deputy|Lead|Head|Attending|Medical|Surgical|[A-Z][a-z]*olog(?:y|ical)|Haematology|Hematology|"
    r"Oncology|Transplant|Lymphoma|Myeloma|Leukaemia|Leukemia)[ \t]+){0,3}(?:Consultant|Registrar|Professor|Lecturer|"
    r"Fellow|Nurse Specialist|Specialist Nurse|Physician|Surgeon|[A-Z][a-z]*ologist|Director|Matron|Pharmacist|"
    r"Practitioner|Secretary|Coordinator|Navigator|House Officer|Trainee)(?![A-Za-z]|[ \t]*[:(])"
)
# A name opening a sentence whose verb says the person was cared for: "Park Ji-yeon was admitted". The
# verb is found first (rare words), then "was"/"is"/"has been" before it.
_CARED_FOR = re.compile(r"(?:admitted|readmitted|referred|transferred|discharged)(?![A-Za-z])")
_CARED_FOR_AUXILIARY = re.compile(r"(?:was|is|has been)[ \t]+\Z")


def _lines(name: str) -> list[str]:
    text = resources.files("huizhen.deid.text").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def surnames() -> tuple[frozenset[str], frozenset[str]]:
    """(single-character surnames, compound surnames) from the shipped list."""
    names = _lines("surnames.txt")
    return frozenset(n for n in names if len(n) == 1), frozenset(n for n in names if len(n) > 1)


@cache
def pinyin_syllables() -> frozenset[str]:
    return frozenset(_lines("pinyin_syllables.txt"))


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    single, compound = surnames()
    compound_alt = trie_pattern(compound)
    strong = f"(?:{compound_alt}|[{''.join(sorted(single - WEAK_SURNAMES))}])"
    weak = f"[{''.join(sorted(single & WEAK_SURNAMES))}]"
    any_surname = f"(?:{compound_alt}|[{''.join(sorted(single))}])"
    not_han_before, not_han_after = f"(?<![{HAN}])", f"(?![{HAN}])"
    given = _GIVEN
    # A given name may begin with a name character that usually ends one (王心怡, 李之涣, 赵进军) when a
    # second given character follows and the name then ends: {given}{{1,2}} reads as one of these.
    given_name = f"(?:{given}{{1,2}}|[{_STOP_NAME_CHARS}]{given}(?:(?![{HAN}])|(?={_VERB_AFTER_NAME}|{_TITLE_AFTER})))"
    # Each cue list is one trie, so re's fast scan for its first characters applies (a
    # leading look-behind would disable it: word boundaries are checked in Python instead).
    # A form may separate label and value by a colon or only by spaces (姓名 陈晓东 性别 男).
    separators = ("：", ":", " :", " ：", " ", "　")
    strong_cues = [f"{w}{c}" for w in _words(_STRONG_WORDS) for c in separators] + ["尊敬的"]
    # Table cells (| 姓名 | 许文博 |) and one-character kinship labels before a colon (母：唐秀兰).
    strong_cues += [f"{w}{c}" for w in _words(_STRONG_WORDS) for c in (" | ", "|", "\t", " |")]
    strong_cues += [f"{w}{c}" for w in _words(_KIN_LABELS) for c in ("：", ":")]
    # A signature field's note before its colon: 住院医师（签名）：
    notes = ("（签名）", "（签字）", "(签名)", "(签字)", "（签章）", "（盖章）")
    strong_cues += [f"{w}{n}{c}" for w in _words(_STRONG_WORDS) for n in notes for c in ("：", ":")]
    soft_cues = _words(_SOFT_WORDS)
    en_titles = [f"{w}{d}" for w in _words(_EN_TITLE_WORDS) for d in (".", "")]
    # Labels as written in forms, also in capitals (SURGEON:, NEXT OF KIN:).
    label_words = _words(_EN_LABEL_WORDS, sep="|")
    en_labels = [f"{w}{c}" for w in {*label_words, *(w.upper() for w in label_words)} for c in (":", " :")]
    en_verbs = _words(_EN_VERB_WORDS, sep="|")
    # "Smith, John" / "DeLuca, Cormac R." after a label or verb cue: one name even in title case.
    comma_name = f"{_EN_WORD},[ \\t]*[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?(?:[ \\t]+[A-Z]\\.)?(?![A-Za-z])"
    either = f"(?:(?P<z>{any_surname}{given_name})|(?P<n>{_EN_NAME}))"
    return {
        # A signature line may leave a blank to sign on before the printed name: 签名：________　熊立新
        # A cue with any short note in brackets before its colon: 患者家属（妻）：柏玉华, 医师（外院）：X.
        # A bed number before the patient's name in ward lists and handovers: 12床饶世杰, 12床 饶世杰.
        "bed": re.compile(f"床[ \\t　]*(?P<z>{any_surname}{given_name})"),
        # (Found from the bracket and colon, which are rare together; the cue before is checked after.)
        "strong_note": re.compile(f"[（(][^（()）\\n]{{1,6}}[)）][ \\t]*[：:][ \\t_＿　]*{either}"),
        "strong_before": re.compile(f"(?:{trie_pattern(_words(_STRONG_WORDS))})\\Z"),
        "strong": re.compile(f"{trie_pattern(strong_cues)}[ \\t_＿　]*{either}"),
        "soft": re.compile(
            f"{trie_pattern(soft_cues)}[ \\t]*[:：]?[ \\t]*(?:是|为)?"
            f"(?:(?P<z>{strong}{given_name}|{weak}{given_name}(?:{not_han_after}|(?={_VERB_AFTER_NAME})))"
            f"(?!{_TITLE_AFTER})|(?P<n>{_EN_NAME}))"
        ),
        # After a title an initial may stand without its period: Dr A Ramaswamy.
        "en_title": re.compile(
            f"{trie_pattern(en_titles)}[ \\t]+"
            f"(?:(?P<z>{any_surname}{given_name})|(?P<n>(?:[A-Z][ ](?=[A-Z]))?{_EN_NAME}))"
        ),
        # After a label, "Smith, John" is one name even in title case.
        "en_label": re.compile(
            f"{trie_pattern(en_labels)}[ \\t]*(?:(?P<z>{any_surname}{given_name})|(?P<n>{comma_name}|{_EN_NAME}))"
        ),
        # A relative named in brackets after the relation: the patient's mother (Astrid Sharp).
        # Led by the bracket (fast to scan for); the relation or label before it is checked after.
        "kin_bracket": re.compile(
            f"[（(][ \\t]*(?:(?P<z>{any_surname}{given_name})|(?P<n>{comma_name}|{_EN_NAME}))[ \\t]*[)）]"
        ),
        # The relation or role before the bracket: his mother (X), 患者母亲（严秀兰）, 主治医师（张三）.
        "kin_before": re.compile(
            f"(?:{trie_pattern(_words(_EN_KIN_WORDS))}(?:-in-law)?"
            f"|{trie_pattern(_words(_KIN_LABELS) + _words(_SOFT_WORDS) + _words(_STRONG_WORDS))})[ \\t]*\\Z"
        ),
        # A relation and the name inside one bracket: 与家属（侄子，郝建军）沟通.
        "kin_in_bracket": re.compile(
            f"[（(](?:{trie_pattern(_words(_KIN_LABELS) + _words(_SOFT_WORDS) + _words(_STRONG_WORDS))})"
            f"[，,、：:][ \\t]*(?P<z>{any_surname}{given_name})[ \\t]*(?=[)），,；;])"
        ),
        # A role after a modifier before its colon: Reporting pathologist:, Admitting physician:, Covering GP:.
        "en_role_label": re.compile(
            r"(?:pathologist|physician|clinician|surgeon|doctor|consultant|nurse|oncologist|haematologist|"
            r"hematologist|radiologist|resident|registrar|GP|provider|practitioner|anaesthetist|anesthetist)"
            f"[ \\t]*:[ \\t]*(?:(?P<z>{any_surname}{given_name})|(?P<n>{comma_name}|{_EN_NAME}))"
        ),
        "role_modifier": re.compile(
            r"(?<![A-Za-z])(?:[A-Z][a-z]+(?:ing|ed)|Primary|Senior|Junior|Lead|Named|Responsible|Duty|On-call|"
            r"Covering|Treating|Usual|Own|Family)[ ]\Z"
        ),
        # A label with a note in brackets before its colon: Interpreter (Mandarin): X, Surgeon (first): Y.
        "en_label_note": re.compile(
            f"\\([A-Za-z][A-Za-z \\-/]{{0,24}}\\)[ \\t]*:[ \\t]*"
            f"(?:(?P<z>{any_surname}{given_name})|(?P<n>{comma_name}|{_EN_NAME}))"
        ),
        "label_before": re.compile(f"(?:{trie_pattern(_words(_EN_LABEL_WORDS, sep='|'))})[ \\t]*\\Z"),
        # Any name-like cue followed by a romanised name in lower case (patient zhang wei).
        "cue_lower": re.compile(
            f"{trie_pattern([*en_titles, *en_labels, *en_verbs, *_LOWER_CUES])}"
            "[ \\t]*[:,]?[ \\t]*"
            r"(?P<a>[a-z]{1,6})[ \t]+(?P<b>[a-z]{1,12}(?:[\-'’][a-z]{1,6})?)(?![A-Za-z])"
        ),
        # A name before its sex in a record header or table row: 韩梅，女，45岁 / | 许文博 | 男 |.
        "sex": re.compile(r"[男女](?:性)?(?=[ \t]*(?:[，,、|/；;。）)\n]|\d|$))"),
        # An age right after a name in a header: 患者女，龚秀英，68岁.
        # (Found from 岁, a rare character, then the digits and the separator before them are checked.)
        "age": re.compile(r"岁"),
        "age_digits": re.compile(r"[，,、 \t]\d{1,3}周?\Z"),
        "before_sex": re.compile(
            f"{not_han_before}(?P<z>{any_surname}{given_name})(?:[ \\t]*[，,、|/（(][ \\t|]*|[ \\t]+)\\Z"
        ),
        # A name followed by the person's relation or role in brackets: 吴建平（丈夫）, 刘红(家属).
        "relation": re.compile(
            f"[（(](?:患者)?(?:{trie_pattern(_words(_KIN_LABELS) + _words(_SOFT_WORDS) + _words(_STRONG_WORDS))}"
            f"|{trie_pattern(_words(_EN_KIN_WORDS))}(?:-in-law)?)[)）]"
            # or the person's identifiers in brackets: 王明（住院号：ZY2023…）, 李娜（身份证号 …）
            f"|[（(](?:住院号|病案号|门诊号|病历号|登记号|身份证|证件号|出生日期|ID|MRN|DOB)"
        ),
        "before_relation": re.compile(f"{not_han_before}(?P<z>{any_surname}{given_name})[ \\t]*\\Z"),
        # 由X陪同 / 由其女儿X陪同
        "escort": re.compile(
            f"由(?:其|患者)?[ \\t]*(?P<z>{any_surname}{given_name})[ \\t]*(?:陪同|陪伴|护送|代诉|签字)"
        ),
        "en_verb": re.compile(
            f"{trie_pattern(en_verbs)}(?:-in-law)?[ \\t]*[:,]?[ \\t]*"
            f"(?:(?P<z>{any_surname}{given_name})|(?P<n>{comma_name}|{_EN_NAME}))"
        ),
        # Titles are found first and the name read backwards from them (fast: titles are rare).
        "title": re.compile(_TITLE_AFTER),
        "titled": re.compile(f"(?P<z>{strong}{given}{{0,2}})\\Z"),
        "titled_weak": re.compile(f"{not_han_before}(?P<z>{any_surname}{given_name})\\Z"),
        "titled_after_verb": re.compile(f"(?P<z>{any_surname}{given}{{2}})"),
        "titled_weak_alone": re.compile(f"{not_han_before}(?P<z>{weak})\\Z"),
        "mou": re.compile(f"(?P<z>{strong})\\Z"),
        "mou_any": re.compile(f"(?P<z>{any_surname})\\Z"),  # 于某某 is a name, 于某日 is not
        # Signature lines of two people: 霍桂沐/任强峰
        # Matched whole against each line that holds a slash (see _signature_pairs).
        "pair": re.compile(
            f"[ \\t]*(?P<n>{any_surname}[{HAN}]{{1,2}}|{_EN_NAME})[ \\t]*/"
            f"[ \\t]*(?P<m>{any_surname}[{HAN}]{{1,2}}|{_EN_NAME})[ \\t]*"
        ),
        "name_before": re.compile(f"(?P<n>{comma_name}|{_EN_NAME})[ \\t]*,?[ \\t]*\\Z"),
        # The next name of a list after a cue: 抄送：吴志明、亓骞沛 / cc: Lian Shu, MD; OYELARAN, Ambrose
        "next_han": re.compile(f"[ \\t]*[、/][ \\t]*(?P<z>{any_surname}{given_name})"),
        "surname_comma": re.compile(f"(?<![A-Za-z'’])(?P<s>{_EN_WORD}),[ \\t]*\\Z"),
        "next_lower": re.compile(
            r"(?:,[ \t]*(?:MD|M\.D\.|PhD|DO|RN|NP|PA|PA-C|BSN|MSN|MBBS)\b)*[ \t]*;[ \t]*"
            r"(?P<a>[a-z]{1,6})[ \t]+(?P<b>[a-z]{1,12}(?:[\-'’][a-z]{1,6})?)(?![A-Za-z])"
        ),
        "next_latin": re.compile(
            r"(?:,[ \t]*(?:MD|M\.D\.|PhD|DO|RN|NP|PA|PA-C|BSN|MSN|MBBS)\b)*[ \t]*;[ \t]*"
            f"(?P<n>{comma_name}|{_EN_NAME})"
        ),
        # (No leading look-behind, which would disable re's scan for a capital: the word boundary
        # before it is checked in Python.)
        "capitalised_pair": re.compile(
            r"(?P<a>[A-Z][A-Za-z]*(?:[\-'’][A-Za-z]+)?)(?P<sep>,?[ \t]+)"
            r"(?=(?P<b>[A-Z][A-Za-z]*(?:[\-'’][A-Za-z]+)?)(?![A-Za-z\-'’]))"
        ),
        # One item of a list of people: a name, then at most a bracketed role or a degree.
        "name_item": re.compile(
            f"(?P<n>{_EN_NAME})[ \\t]*(?:\\([^()\\n]{{1,30}}\\))?[ \\t]*(?:MD|MBBS|RN|PhD|FRCPath|NP|PA-C)?[ \\t.]*\\Z"
        ),
        "attribution": re.compile(
            f"\\((?P<n>{_EN_NAME}),[ \\t]*"
            r"(?=\d|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?[ \t]\d)"
        ),
        # "by Heidi Noble at 10:42": the time is found first, the name read backwards from it.
        "at_time": re.compile(r" at \d{1,2}[:.]\d{2}"),
        "by_name": re.compile(f"(?<![A-Za-z])by[ \\t]+(?P<n>{_EN_NAME})\\Z"),
        "field_separator": re.compile(f"[{_PERSON_LABEL_END}][ 　]*[{_FIELD_SEPARATORS}]"),
        "field_value": re.compile(
            f"[ \\t　]*(?:(?P<z>{any_surname}{given_name})(?![{HAN}A-Za-z])"
            f"|(?P<n>{_EN_NAME})(?=[ \\t　]*(?:$|[\\n\\t|｜（(，,、；;。]|　|[ ]{{2}}|[{HAN}])))"
        ),
        "own_line": re.compile(f"[ \\t　]*(?P<z>{strong}{given_name})[ \\t　]*"),
        "valediction": re.compile(
            r"(?:Yours sincerely|Yours faithfully|Yours truly|Sincerely|Kind regards|Best regards|Warm regards|Best|"
            r"Thanks|Cheers|Respectfully|Warmly|All the best|Yours|"
            r"Regards|With best wishes|Best wishes|With kind regards|Many thanks|With thanks|敬礼)"
            r"[,.!！，。]?[ \t]*\n(?:[ \t　]*\n)*[ \t　]*(?:(?:Dr|Prof|Professor|Mr|Mrs|Ms)\.?[ ]+)?"
            f"(?:(?P<z>{strong}{given_name})(?=[ \\t　]*(?:\\n|$))|(?P<n>{_EN_NAME}))"
        ),
        "initialled": re.compile(f"(?P<n>[A-Z]\\.[ ]?(?:[A-Z]\\.[ ]?)?(?:{_EN_PARTICLE}[ ])*{_EN_WORD})"),
        "initialled_context": re.compile(r"(?:(?:^|[^A-Za-z])(?:by|to|with|and|per|from|cc|Dr\.?|Prof\.?) |\( ?|^)\Z"),
        "bracketed_han": re.compile(
            f"[ \\t]*(?:[（(][ \\t]*(?P<n>{any_surname}[{HAN}]{{1,3}})[ \\t]*[)）]"
            f"|/[ \\t]*(?P<m>{any_surname}{given_name})(?![{HAN}]))"
        ),
        "bracketed_latin": re.compile(
            f"[ \\t]*(?:[（(][ \\t]*(?P<n>{_EN_NAME})[ \\t]*[)）]|/[ \\t]*(?P<m>{_EN_NAME}))"
        ),
        # 阙澍 (que shu), 甄锴 / zhen kai: the romanised form in lower case.
        "other_lower": re.compile(
            r"[ \t]*(?:[（(]|/)[ \t]*(?P<a>[a-z]{1,6})[ \t]+(?P<b>[a-z]{1,12}(?:[\-'’][a-z]{1,6})?)(?![A-Za-z])"
        ),
        "lower_before": re.compile(
            r"(?<![A-Za-z])(?P<a>[a-z]{1,6})[ \t]+(?P<b>[a-z]{1,12}(?:[\-'’][a-z]{1,6})?)[ \t]*,?[ \t]*\Z"
        ),
    }


# Surnames and given-name syllables as romanised outside Hanyu Pinyin: Cantonese (Hong Kong, Macau,
# overseas), Wade-Giles (Taiwan, older passports) and common variants (Lyu, Lee).
_ROMAN_SURNAMES = frozenset(
    _words("""
    lyu lu chan cheung wong leung chow ng lau ho tsang kwok lam yip tse tam lai fung mak choi chu yeung kwan lo law
    tsui tong szeto au poon fok lui hui cheng chiu siu lee chang hsu hsieh tsai chien chou kuo teng chen lin wu chung
    chong chau yau yiu kong kung ko koo kam keung kwong lim loh low ong quek soh tan teo teoh yap yeo goh gan khoo
    liew liu lum mok pang sit sze tsoi tung wan woo yee yim yung choy chua chiang hsiao hsiung tseng tsao chao huang
    shih sung tien tsou""")
)
_ROMAN_GIVEN = frozenset(
    _words("""
    chih hsiao hsin hsiu hsi hsueh hsien hsiang hsing hsiung tsai tsung tzu tse jui jen jung kuo kuang kuei chiang
    chien chun chung pao po teh tai tung ying yung shih szu ssu wei kao wai fai siu yiu hoi kin kit yee wing kwok sze
    yuk cheuk lok suet ching hing keung tak fung pui kam sau wah hung chiu choi tsz hei oi chak chau chee cheung chi
    chin chor chow chuen fat fook foon hau hin hiu hok hon hong hou kai kan kau kei ki kok kuen kui kwai kwan kwong
    lap lau leung lik lim ling lit loi lui lun lung mei ming mo mui nam ngai ngan oi pak pik ping pong sai san sang
    shing shiu sik sin sing suen sui sum sun sung tat tim tin ting tsang tsui tsun wa wan wing woon wun yat yau yeung
    yik yim yin yip yue yuen yuet hsuan hsun chueh chiao chieh chiu chuan chuang hua hui huei mien""")
)


@cache
def _surname_pinyin() -> frozenset[str]:
    single, compound = surnames()
    forms = {"".join(lazy_pinyin(name, style=Style.NORMAL)) for name in single | compound}
    # Common spellings outside Hanyu Pinyin (Wade-Giles, Cantonese) seen on passports and letters.
    forms |= _ROMAN_SURNAMES
    return frozenset(f for f in forms if f.isascii() and f.isalpha())


_NON_SPACE = re.compile(r"\S+")
_HAN_CHAR = re.compile(f"[{HAN}]")


def _trim_english(name: str) -> tuple[int, int] | None:
    """The name inside an English candidate: leading and trailing words that are never names dropped."""
    words = list(_NON_SPACE.finditer(name))
    kept: list[re.Match[str]] = []
    for index, word in enumerate(words):
        token = word.group()
        bare = token.rstrip(".,")
        is_initial = len(token) == 2 and token[1] == "." and "A" <= token[0] <= "Z"  # "A." is an initial, not "a"
        if len(token) == 1 and "A" <= token <= "Z" and index + 1 < len(words):  # Dr A Ramaswamy, J Smith
            is_initial = words[index + 1].group()[:1].isupper() and words[index + 1].group() not in _EN_NOT_NAME
        # April, May and June are first names when a surname follows them (June Moss), months otherwise.
        if bare in _EPONYM_SURNAMES and kept and not kept[-1].group().endswith(","):
            is_initial = True  # Mary Reed
        if bare in _MONTH_NAMES and index + 1 < len(words):
            following = words[index + 1].group()
            next_is_name = following[:1].isupper() or following in _PARTICLES  # June dos Santos
            is_initial = next_is_name and following.rstrip(".,") not in _EN_NOT_NAME
        specialty = "olog" in bare and _SPECIALTY.fullmatch(bare) is not None
        if not kept and specialty:
            return None  # Haematology Day Unit: a department, not a name after a specialty
        if not is_initial and (bare in _EN_NOT_NAME or bare.upper() in ("MD", "PHD") or specialty):
            if kept:
                break
            continue
        kept.append(word)
    if not kept:
        return None
    return kept[0].start(), kept[-1].end()


def find_names(text: str) -> Iterator[Finding]:
    """(start, end, "NAME", priority) of every personal name found in ``text``."""
    patterns = _patterns()
    found: list[Finding] = []
    for match in patterns["strong_note"].finditer(text):
        if patterns["strong_before"].search(text, max(0, match.start() - 12), match.start()) is not None:
            _add_match(found, text, match, 55)
    for key, priority in (("strong", 55), ("soft", 50), ("en_title", 50), ("en_label", 55), ("en_verb", 50)):
        latin_cue = key.startswith("en_")
        for match in patterns[key].finditer(text):
            if latin_cue and match.start() and text[match.start() - 1].isascii() and text[match.start() - 1].isalpha():
                continue  # the cue is the end of a longer word
            if key == "en_title" and _add_surname_after_title(found, match):
                continue
            _add_match(found, text, match, priority)
    # A relative in brackets after the relation (his mother (Astrid Sharp)), a name after a label with a
    # note (Interpreter (Mandarin): W. Rivers): the bracket is found first, the word before it checked.
    for key, before_key in (
        ("kin_bracket", "kin_before"),
        ("en_label_note", "label_before"),
        ("en_role_label", "role_modifier"),
    ):
        for match in patterns[key].finditer(text):
            if patterns[before_key].search(text, max(0, match.start() - 24), match.start()) is not None:
                _add_match(found, text, match, 50)
    for match in patterns["bed"].finditer(text):
        if match.start() and text[match.start() - 1].isdigit():
            found.append((match.start("z"), match.end("z"), "NAME", 50))
    for match in patterns["kin_in_bracket"].finditer(text):
        found.append((match.start("z"), match.end("z"), "NAME", 50))
    found.extend(_names_before_titles(text))
    found.extend(_names_before_sex_or_relation(text))
    for match in patterns["escort"].finditer(text):
        found.append((match.start("z"), match.end("z"), "NAME", 50))
    found.extend(_lower_case_pinyin_after_cues(text))
    found.extend(_signature_pairs(text))
    found.extend(_pinyin_names(text))
    found.extend(_names_before_markers(text))
    found.extend(_form_field_names(text))
    found.extend(_names_on_their_own_line(text))
    found.extend(_names_after_valedictions(text))
    found.extend(_initialled_names(text))
    found.extend(_attendance_lists(text))
    found.extend(_attributions(text))
    _list_continuations(text, found)
    # A name followed by its other script in brackets: Guimei Teng (滕桂梅), 李萍 (LI Ping).
    for start, end, _kind, _priority in list(found):
        # Only the other script: 郭玉芸（母亲） is a kinship note, not a second name.
        latin = _HAN_CHAR.search(text, start, end) is None  # Fernández (Consultant) is no second script
        other = patterns["bracketed_han" if latin else "bracketed_latin"].match(text, end)
        if other is not None:
            group = "m" if other.group("n") is None else "n"
            found.append((other.start(group), other.end(group), "NAME", 45))
        elif not latin:
            lower = patterns["other_lower"].match(text, end)
            if lower is not None and _is_lower_pinyin_name(lower.group("a"), lower.group("b")):
                found.append((lower.start("a"), lower.end("b"), "NAME", 45))
    # Each span once, at its highest priority: half the readings repeat one another, and every
    # candidate costs the scrubber a sort and an overlap test.
    best: dict[tuple[int, int], int] = {}
    for start, end, _kind, priority in (*found, *_other_mentions(text, found)):
        if best.get((start, end), -1) < priority:
            best[(start, end)] = priority
    for (start, end), priority in best.items():
        yield start, end, "NAME", priority


def _signature_pairs(text: str) -> Iterator[Finding]:
    """Signature lines of two people, one line each: 霍桂沐/任强峰, Ann Lee / Wang Wei."""
    pair = _patterns()["pair"]
    slash = text.find("/")
    while slash != -1:
        start = text.rfind("\n", 0, slash) + 1
        end = text.find("\n", slash)
        end = len(text) if end == -1 else end
        match = pair.fullmatch(text, start, end)
        if match is not None:
            yield match.start("n"), match.end("n"), "NAME", 50
            yield match.start("m"), match.end("m"), "NAME", 50
        slash = text.find("/", end)


def _add_surname_after_title(found: list[Finding], match: re.Match[str]) -> bool:
    """Mr He, Dr An, Prof. Ma Wei, Dr Reed: a surname that is also an English word or an eponym, after a title."""
    name = match.group("n")
    if name is None:
        return False
    first = name.split(" ", 1)[0]
    if first not in _EN_NOT_NAME or (first.lower() not in _surname_pinyin() and first not in _EPONYM_SURNAMES):
        return False
    start = match.start("n")
    rest = _trim_english(name[len(first) :])
    end = start + len(first) + rest[1] if rest is not None and rest[0] == 1 else start + len(first)
    found.append((start, end, "NAME", 45))
    return True


def _names_before_titles(text: str) -> Iterator[Finding]:
    """Chinese names read backwards from a title or kinship word: 张三医生, 李主任, 全先生, 王某某."""
    patterns = _patterns()
    titled, titled_weak, alone, mou = (
        patterns["titled"],
        patterns["titled_weak"],
        patterns["titled_weak_alone"],
        patterns["mou"],
    )
    for title in patterns["title"].finditer(text):
        end = title.start()
        if end == 0:
            continue
        window = max(0, end - 4)
        if title.group().startswith("某"):
            # 于某某 and 安某之父 are names (any surname), 于某日 is not.
            possessive = text.startswith("之", title.end())
            pattern = patterns["mou_any"] if title.group() == "某某" or possessive else mou
            match = pattern.search(text, max(0, end - 2), end)
            if match is not None:
                yield match.start("z"), title.end(), "NAME", 50
            continue
        # The longest reading wins: 成桂医生 is 成桂, not 桂 (both 成 and 桂 are surnames).
        readings = [m for m in (titled.search(text, window, end), titled_weak.search(text, window, end)) if m]
        match = min(readings, key=lambda m: m.start()) if readings else None
        if match is None and title.group() in ("先生", "女士", "小姐", "太太", "阿姨", "大爷", "大妈"):
            match = alone.search(text, max(0, end - 1), end)
        if match is None and text[max(0, end - 4) : end - 1] == "尊敬的":  # 尊敬的向主任: any surname alone
            match = patterns["mou_any"].search(text, end - 1, end)
        if match is None and end >= 4 and text[end - 4] in _VERB_BEFORE_NAME:  # 请危淳婧教授: a weak surname
            match = titled_weak.fullmatch(text, end - 3, end) or patterns["titled_after_verb"].fullmatch(
                text, end - 3, end
            )
        if match is not None:
            yield match.start("z"), match.end("z"), "NAME", 50


def _list_continuations(text: str, found: list[Finding]) -> None:
    """Add the names that follow a found name in a list (、 between Chinese names, ; between English ones)."""
    patterns = _patterns()
    index = 0
    while index < len(found) and index < 10_000:
        start, end, _kind, _priority = found[index]
        index += 1
        if end >= len(text) or text[end] not in " \t、/,;":
            continue
        if not text[start:end].isascii():
            match = patterns["next_han"].match(text, end)
            if match is not None:
                found.append((match.start("z"), match.end("z"), "NAME", 45))
            continue
        lower = patterns["next_lower"].match(text, end)
        if lower is not None and _is_lower_pinyin_name(lower.group("a"), lower.group("b")):
            found.append((lower.start("a"), lower.end("b"), "NAME", 45))
            continue
        latin = patterns["next_latin"].match(text, end)
        trimmed = _trim_english(latin.group("n")) if latin is not None else None
        if latin is not None and trimmed is not None:
            begin = latin.start("n")
            found.append((begin + trimmed[0], begin + trimmed[1], "NAME", 45))


def _names_before_sex_or_relation(text: str) -> Iterator[Finding]:
    """Chinese names read backwards from a header's sex (韩梅，女，45岁) or a bracketed relation (吴建平（丈夫）)."""
    patterns = _patterns()
    for marker_key, before_key in (("sex", "before_sex"), ("age", "before_sex"), ("relation", "before_relation")):
        before = patterns[before_key]
        for marker in patterns[marker_key].finditer(text):
            end = marker.start()
            if marker_key == "age":
                digits = patterns["age_digits"].search(text, max(0, end - 6), end)
                if digits is None:
                    continue
                end = digits.start() + 1
            if end < 2:
                continue
            match = before.search(text, max(0, end - 8), end)
            if match is not None:
                yield match.start("z"), match.end("z"), "NAME", 50
            elif marker_key == "relation":
                reading = _name_after_a_verb(text, end)
                if reading is not None:
                    yield reading[0], reading[1], "NAME", 45


def _name_after_a_verb(text: str, end: int) -> tuple[int, int] | None:
    """The name ending at ``end`` that runs on from a verb (委托万婧（父亲）, 告知余守烨（妹妹）).

    Readings of three and two characters are tried, a strong surname first: 同王明 is 王明 (同 is a
    weak surname), 托原媛婕 is 原媛婕 (媛 is no surname at all)."""
    single, compound = surnames()
    readings = []
    for length in (4, 3, 2):
        start = end - length
        if start < 0:
            continue
        candidate = text[start:end]
        if not all(_is_han(c) for c in candidate):
            continue
        surname = candidate[:2] if candidate[:2] in compound else candidate[0]
        if surname not in single and surname not in compound:
            continue
        given = candidate[len(surname) :]
        if not 1 <= len(given) <= 2 or any(c in _STOP for c in given):
            continue
        weak = surname in WEAK_SURNAMES
        readings.append((weak, -length, start))
    if not readings:
        return None
    _weak, _length, start = min(readings)
    return start, end


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _lower_case_pinyin_after_cues(text: str) -> Iterator[Finding]:
    """Romanised names written in lower case right after a cue: patient zhang wei, 患者 li na."""
    for match in _patterns()["cue_lower"].finditer(text):
        if match.start() and _is_latin_letter(text, match.start() - 1):
            continue
        if _is_lower_pinyin_name(match.group("a"), match.group("b")):
            yield match.start("a"), match.end("b"), "NAME", 45


def _is_lower_pinyin_name(a: str, b: str) -> bool:
    """Whether two lower-case words are a romanised Chinese name, in either order (zhang wei, wei zhang)."""
    surname = _surname_pinyin()
    return (a in surname and _is_given(b)) or (b in surname and _is_given(a) and a not in _EN_FUNCTION)


def _add_match(found: list[Finding], text: str, match: re.Match[str], priority: int) -> None:
    if match.group("z") is not None:
        found.append((match.start("z"), match.end("z"), "NAME", priority))
        return
    trimmed = _trim_english(match.group("n"))
    if trimmed is not None:
        start = match.start("n")
        found.append((start + trimmed[0], start + trimmed[1], "NAME", 45))


_WORD = re.compile(f"[A-Za-z{_UP}{_LOW}]+")


def _marker_starts(text: str) -> list[int]:
    """Where the words that follow a name begin: degrees and titles, posts, and "was admitted"."""
    starts = [m.start() for m in _AFTER_NAME.finditer(text)]
    starts += [m.start() for m in _AFTER_NAME_POST.finditer(text)]
    for verb in _CARED_FOR.finditer(text):
        auxiliary = _CARED_FOR_AUXILIARY.search(text, max(0, verb.start() - 12), verb.start())
        if auxiliary is not None and auxiliary.start() > 0 and text[auxiliary.start() - 1] in " \t":
            starts.append(auxiliary.start() - 1)
    return sorted(starts)


def _names_before_markers(text: str) -> Iterator[Finding]:
    """English names read backwards from what follows them: ", MD", 医生, "is a 48 y/o"."""
    name_before, lower_before = _patterns()["name_before"], _patterns()["lower_before"]
    for start in _marker_starts(text):
        if start == 0 or not (text[start - 1].isascii() and (text[start - 1].isalpha() or text[start - 1] in " \t,")):
            continue
        # A name never spans lines, so the window ends at the line's start; candidates begin at words.
        window_start = max(text.rfind("\n", 0, start) + 1, start - 80)
        words = [w.start() for w in _WORD.finditer(text, window_start, start)]
        match = next((m for m in (name_before.match(text, w, start) for w in words) if m is not None), None)
        if match is None:
            lower = next((m for m in (lower_before.match(text, w, start) for w in words) if m is not None), None)
            if lower is not None and _is_lower_pinyin_name(lower.group("a"), lower.group("b")):
                yield lower.start("a"), lower.end("b"), "NAME", 45
            continue
        trimmed = _trim_english(match.group("n"))
        if trimmed is not None:
            begin = match.start("n")
            # "DELACROIX, Tamsin Delacroix is a 61-year-old": the heading name runs on into the sentence.
            heading = _patterns()["surname_comma"].search(text, max(0, begin - 40), begin) if trimmed[0] == 0 else None
            name = text[begin : begin + trimmed[1]]
            if heading is not None and name.lower().endswith(" " + heading.group("s").lower()):
                yield heading.start(), begin + trimmed[1], "NAME", 45
            elif not _is_latin_letter(text, begin - 1):  # 请Ruby Payne教授: a Han character may precede
                yield begin + trimmed[0], begin + trimmed[1], "NAME", 45


def _pinyin_names(text: str) -> Iterator[Finding]:
    """Romanised Chinese names: two capitalised words, a pinyin surname and a one- or two-syllable given name."""
    surname = _surname_pinyin()
    for match in _patterns()["capitalised_pair"].finditer(text):
        if match.start() and (_is_latin_letter(text, match.start() - 1) or text[match.start() - 1] in "-'’"):
            continue
        a, b = match.group("a"), match.group("b")
        comma = "," in match.group("sep")
        if _is_pinyin_name(a, b, surname, comma=comma):
            end = match.end("b")
            # Cantonese and Wade-Giles given names are often two separate words: CHAN Tai Man, Wong Ka Fai.
            third = _THIRD_SYLLABLE.match(text, end)
            if (
                not comma
                and a.lower() in surname
                and third is not None
                and _is_single_syllable(b)
                and _is_single_syllable(third.group(1))
                and third.group(1) not in _EN_NOT_NAME
            ):
                end = third.end()
            yield match.start("a"), end, "NAME", 45


def _is_pinyin_name(a: str, b: str, surname: frozenset[str], *, comma: bool) -> bool:
    first, second = a.lower(), b.lower()
    if comma:  # "LI, Ping": surname first, in capitals
        return a.isupper() and first in surname and _is_given(second)
    if first in surname and _is_given(second) and (b[0].isupper()):
        return True
    # "Gao Q", "Wang XM": a surname in title case and the given name's initials, as in author lists.
    if first in surname and a[0].isupper() and a[1:].islower() and b.isupper() and len(b) <= 2:
        return True
    # "Xiaoming Zhang": given name first, both in title case (capitals alone read as acronyms)
    return second in surname and _is_given(first) and not a.isupper() and not b.isupper()


_THIRD_SYLLABLE = re.compile(r"[ \t]([A-Z][a-z]{0,5}|[A-Z]{1,6})(?![A-Za-z\-'’])")


def _is_single_syllable(word: str) -> bool:
    word = word.lower()
    return word in pinyin_syllables() or word in _ROMAN_GIVEN


def _is_given(word: str) -> bool:
    """One or two syllables, pinyin or (whole, or hyphen-joined) Cantonese and Wade-Giles: Xiao-Ming, Chih-Ming, Siu."""
    word = word.lower()
    syllables = pinyin_syllables()
    if word in syllables or word in _ROMAN_GIVEN:
        return True
    parts = re.split(r"[\-'’]", word)
    if len(parts) == 2 and all(p in syllables or p in _ROMAN_GIVEN for p in parts):
        return True
    word = "".join(parts)
    return any(word[:i] in syllables and word[i:] in syllables for i in range(1, len(word)))


# The last character of a form label that names a person: 记录者, 联系人, 医师, 医生, 护士, 人员, 护士长,
# 一助/主刀/麻醉 (operation teams), 取材/制片/诊断/复核/审核 (pathology sign-off), 签名/签字/签发/签章, 记录,
# 家属, 教授, 主任, 专家. Weak surnames only after person nouns and sign-off roles (者 人 师 … 录 签 发 助 刀).
_PERSON_LABEL_END = "者人师生士员长名属助刀醉材片断核签发录字章授任家"
_PERSON_NOUN_END = "者人师生士员长名属录签发助刀"
_FIELD_SEPARATORS = "：:｜|\t"


def _form_field_names(text: str) -> Iterator[Finding]:
    """Names that are the whole value of a form field or table cell whose label ends in a person word.

    诊断医师：唐恩大　　复核医师：May Okafor, 取材：余沁怀　　制片：潘绍灿, 记录：余沁怀　2023年…,
    ｜一助｜胡耀｜, 姓　　名：曹雁宽. The value must fill the field: it ends at a field separator (spaces,
    a tab, a bar, a bracket, punctuation, the end of the line), so 诊断：高热待查 is not read."""
    patterns = _patterns()
    for separator in patterns["field_separator"].finditer(text):
        label_end = separator.start() + 1
        if label_end > 1 and not _is_han(text[label_end - 2]) and text[label_end - 2] not in " 　｜|\t\n":
            continue
        value = patterns["field_value"].match(text, separator.end())
        if value is None:
            continue
        if value.group("z") is not None:
            name = value.group("z")
            surname = name[:2] if name[:2] in surnames()[1] else name[0]
            if surname in WEAK_SURNAMES and text[label_end - 1] not in _PERSON_NOUN_END:
                continue
            yield value.start("z"), value.end("z"), "NAME", 50
            continue
        name = value.group("n")
        trimmed = _trim_english(name)
        # One word in capitals is a stain, a gene or an abbreviation (制片：HE染色), not a name.
        if trimmed is not None and (" " in name or not name.isupper()):
            begin = value.start("n")
            yield begin + trimmed[0], begin + trimmed[1], "NAME", 45


def _names_on_their_own_line(text: str) -> Iterator[Finding]:
    """A Chinese name that is a whole line: the signature under 此致 敬礼 or a letter's closing.

    Only a strong surname and given characters that do not end names (查体, 方案 and other headings
    that begin with a weak surname stay)."""
    own_line = _patterns()["own_line"]
    formulae = ("此致", "敬礼", "致礼", "敬上", "谨上", "顺颂", "时祺", "祝好", "谢谢")
    position = 0
    for line in text.split("\n"):
        if 2 <= len(line.strip(" \t　")) <= 4:
            match = own_line.fullmatch(line)
            if match is not None and match.group("z") not in formulae:
                yield position + match.start("z"), position + match.end("z"), "NAME", 45
        position += len(line) + 1


def _names_after_valedictions(text: str) -> Iterator[Finding]:
    """The signature under a letter's closing, on the next non-blank line: "Yours sincerely,\n\nDr Jane Fox"."""
    if "\n" not in text:
        return
    for match in _patterns()["valediction"].finditer(text):
        if match.group("z") is not None:
            yield match.start("z"), match.end("z"), "NAME", 50
            continue
        trimmed = _trim_english(match.group("n"))
        if trimmed is not None:
            begin = match.start("n")
            yield begin + trimmed[0], begin + trimmed[1], "NAME", 45


def _initialled_names(text: str) -> Iterator[Finding]:
    """Initials before a capitalised surname (K.O. Bone, M. Lamb, G. van den Broek) where a person is named:
    after by/to/with/and/per, a bracket or at the start of a line; never after another word (hepatitis B.
    Serology) or a label (Stage: A. Repeat)."""
    if ". " not in text and "." not in text:
        return
    patterns = _patterns()
    context = patterns["initialled_context"]
    for match in patterns["initialled"].finditer(text):
        start = match.start()
        if start and (_is_latin_letter(text, start - 1) or text[start - 1] == "."):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        if context.search(text, max(line_start, start - 6), start) is None:
            continue
        trimmed = _trim_english(match.group("n"))
        if trimmed is not None and trimmed[0] == 0:
            begin = match.start("n")
            yield begin, begin + trimmed[1], "NAME", 45


# Labels over a list of the people present: "Present at MDT: A, B, C", "Attendees: …", "In attendance: …".
_ATTENDANCE = re.compile(
    r"(?:Present|present|Attendees|attendees|In attendance|in attendance|Participants|Attending|Panel|Signatories|"
    r"Team members|Members present|Copies to|Copy to|cc|CC|Cc)(?:[ \t]+(?:at|for)[ \t]+[A-Za-z]+)?[ \t]*\Z"
)
# The colon is found first (rare beside letters); the label before it is checked after.
_COLON_REST = re.compile(r":[ \t]*(?P<rest>[^\n]+)")
_LIST_ITEM = re.compile(r"[^,;]+")
_LIST_TITLE = re.compile(r"(?:and[ \t]+)?(?:(?:Dr|Mr|Mrs|Ms|Miss|Prof|Professor)\.?[ \t]+)?")


def _attendance_lists(text: str) -> Iterator[Finding]:
    """Every item of a list of the people present (Present at MDT: Bonnie C. Bell, Luo Chengji, N. Lamb) that is
    a name on its own: the items are split at commas and semicolons, a title or bracketed role dropped."""
    if ":" not in text:
        return
    name = _patterns()["name_item"]
    for match in _COLON_REST.finditer(text):
        label = _ATTENDANCE.search(text, max(0, match.start() - 30), match.start())
        if label is None or (label.start() and _is_latin_letter(text, label.start() - 1)):
            continue
        for item in _LIST_ITEM.finditer(text, match.start("rest"), match.end("rest")):
            head = _LIST_TITLE.match(text, item.start() + len(item.group()) - len(item.group().lstrip()))
            begin = head.end() if head is not None else item.start()
            value = name.match(text, begin, item.end())
            if value is None:
                continue
            trimmed = _trim_english(value.group("n"))
            if trimmed is not None and trimmed[0] == 0:  # Haematology Day Unit is not "Day"
                yield begin, begin + trimmed[1], "NAME", 45


def _attributions(text: str) -> Iterator[Finding]:
    """A name that signs an entry with its date or time: "Addendum (J. Fox, 2 May 2022)", "by Heidi Noble at 10:42"."""
    patterns = _patterns()
    matches = list(patterns["attribution"].finditer(text))
    by_name = patterns["by_name"]
    for time_of_day in patterns["at_time"].finditer(text):
        end = time_of_day.start()
        window = max(text.rfind("\n", 0, end) + 1, end - 60)
        starts = (w.start() for w in _WORD.finditer(text, window, end))
        match = next((m for m in (by_name.match(text, start, end) for start in starts) if m is not None), None)
        if match is not None:
            matches.append(match)
    for match in matches:
        trimmed = _trim_english(match.group("n"))
        if trimmed is not None and trimmed[0] == 0:
            begin = match.start("n")
            yield begin, begin + trimmed[1], "NAME", 45


def _other_mentions(text: str, found: list[Finding]) -> Iterator[Finding]:
    """Every other occurrence of a name already found (and of an English surname alone)."""
    surfaces: set[str] = set()
    for start, end, _kind, _priority in found:
        surface = text[start:end]
        if "某" in surface:
            continue
        if len(surface) >= 2:
            surfaces.add(surface)
        if re.fullmatch(r"[A-Za-z .'’\-]+", surface):
            for word in re.findall(r"[A-Za-z][A-Za-z'’\-]{2,}", surface):
                if word not in _EN_NOT_NAME:
                    surfaces.update((word, word.upper()))
    # str.find per surface: compiling an alternation per text would defeat re's pattern cache.
    for surface in surfaces:
        position = text.find(surface)
        while position != -1:
            end = position + len(surface)
            if not (_is_latin_letter(text, position - 1) or _is_latin_letter(text, end)):
                yield position, end, "NAME", 30
            position = text.find(surface, position + 1)


def _is_latin_letter(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index].isascii() and text[index].isalpha()
