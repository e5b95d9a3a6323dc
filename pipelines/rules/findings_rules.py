"""Vocabulary of the findings extractor (存在的问题 / 相关建议), as data.

The logic that applies these lives in `pipelines/extract/findings.py`. All patterns
run on NORMALIZED text (full-width brackets and digits already half-width).
"""

# --- numbering styles, in order of rank (a lower index is a higher level) -----------
# Each pattern matches at the start of a stripped line; group 1 is the number.
# Chinese numerals of any size up to 九千九百九十九: digits, the units 十百千 and 零 between them
# (一百零一、, 二百一十三、). `findings._cn_int` reads them; a string that is not a well-formed
# numeral (百、 alone, 一二三) is no numbering.
CN_DIGITS = "一二三四五六七八九"
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_ZERO = "零〇"
CN_NUM = CN_DIGITS + "".join(CN_UNITS) + CN_ZERO
_CN = f"[{CN_NUM}]+"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

NUMBERING = [
    # (style, regex); numbers of any length (a list may run past 99 items)
    ("chapter", rf"第((?:{_CN})|\d+)(?:部分|章)\s*[、.．:：]?\s*"),
    ("cn", rf"({_CN})\s*[、．.]\s*"),  # 四、  一百零一、
    ("paren_cn", rf"[(（]\s*({_CN})\s*[)）]\s*[、.．]?\s*"),  # (二)
    ("arabic", r"(\d+)\s*([、．.])(?!\d)\s*"),  # 4、  1.  101、 (not 2.5)
    ("paren_arabic", r"(?:[(（]\s*(\d+)\s*[)）]|(\d+)\s*[)）])\s*"),  # (1)  1)
    ("circled", r"([" + CIRCLED + r"])\s*"),  # ①
]

# Inline enumeration inside a paragraph: 一是…；二是…。 The marker must follow the start
# of the text or a punctuation mark, so that 统一是 / 唯一是 never count.
INLINE_MARKER = rf"(?:(?<=^)|(?<=[\n。；;：:，,！!？?)）\s]))(第?{_CN})是"

# --- section titles -------------------------------------------------------------------
# A title line is "<numbering>? <title text>" where the title text (trailing ：:。 removed)
# is short and matches one of these. Searched, not anchored, so 存在问题及原因分析,
# 主要经验及做法、存在的问题及原因分析 and 绩效评价中发现的问题 all count.
PROBLEM_TITLE = (
    r"存在的?(?:主要|突出)?问题|主要问题|发现的(?:主要)?问题|问题(?:及|与|和)(?:其)?(?:原因|不足|分析|整改)"
    r"|问题和不足|不足之处|存在(?:的)?(?:主要)?不足|困难和问题|问题$"
)
PROBLEM_TITLE_EXCLUDE = r"其他|需要说明|说明的问题"
PROBLEM_TITLE_MAX = 26

SUGGESTION_TITLE = r"(?:建议|对策|改进措施|整改措施|改进方向)$"
SUGGESTION_TITLE_MAX = 16

# Words one of which every PROBLEM_TITLE or SUGGESTION_TITLE match holds (tests/test_findings_gate.py
# checks it): a line holding none of them is no title, and is not searched for one.
TITLE_WORDS = ("问题", "不足", "建议", "对策", "措施", "改进方向")

# Lines that end every section: attachments, annexed tables.
ATTACHMENT_LINE = r"附\s*(?:件|表)\s*\d*\s*(?:[:：]|$)"

# Signature block after the last suggestion of a report without attachments.
DATE_LINE = r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"

# A line ending with one of these (optionally followed by closing quotes/brackets) ends
# a sentence; any other line followed by an unnumbered line was cut by a page break.
from pipelines.text import CLAUSE_STOPS  # noqa: E402

SENTENCE_END = CLAUSE_STOPS + "：:…"  # a finding line ends a sentence also at a colon or an ellipsis
CLOSERS = "”’」』)）]】》"

# A suggestion inside a combined "问题及建议" section is recognised by its lead word.
SUGGESTION_LEAD = r"(?:建议|对策)"
