"""Clinical text de-identification: PHI found and replaced in Chinese, English and mixed text.

Pure Python and offline (issue 6, item 1). :func:`scrub` replaces names, ID, phone and record
numbers, e-mail, URLs, WeChat/QQ IDs and addresses by typed tags consistent within a case
(``[姓名-1]`` / ``[NAME-1]``), shifts dates by the case's number of days in their own format,
folds ages over 89, and keeps or generalizes hospital names as the policy says; :func:`detect`
gives the spans only, for evaluation. Clinical eponyms and terms (霍奇金淋巴瘤, Burkitt,
R-CHOP …) are never touched. The DICOM engine's Clean Descriptors option and the case
packaging call the same code; ``huizhen deid text`` is its command line.
"""

from huizhen.deid.text.context import ScrubContext
from huizhen.deid.text.scrubber import detect, scrub
from huizhen.deid.text.span import PHI_KINDS, ScrubResult, Span

__all__ = ["PHI_KINDS", "ScrubContext", "ScrubResult", "Span", "detect", "scrub"]
