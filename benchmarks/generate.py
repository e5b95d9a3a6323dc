"""Synthetic budget-performance disclosures for benchmarks and extractor tests.

`generate(out_dir, n, seed)` writes n text files under `out_dir` (never the project's data/raw),
each beginning with the line `【合成数据 SYNTHETIC — bpe benchmark】`. About one file in ten is
a bundle (an explanation 关于YYYY年…预算绩效管理…的说明 with ex-ante figures, then 2–5 reports);
the others hold one report. Beside each `<name>.txt` sits `<name>.expected.json` with the values
the file states (and only those): per report title, district, report_year, total_score, grade,
the four dimension scores, budget_wan, received_wan, spent_wan, execution_rate_pct; per bundle
the ex-ante n_items / submitted_wan / reduced_wan. Decimals are written as strings.

What varies, so the extractors meet the layouts of real disclosures: the 16 districts of
Beijing, 北京市 and 北京经济技术开发区; years 2019–2025; seven forms of the score sentence and
four of the grade; amounts in 万元 / 亿元 / 元 with and without thousands separators; rates as
a percentage or a decimal; page breaks between a number and its unit; full-width digits; titles
over one to three lines; an 评价指标体系及评分情况表 in the tab-per-cell layout whose rows sum
to the total (with 合计).

Values are consistent: the dimension scores sum to the total, the grade is the band of the
total (优 ≥ 90, 良 80–<90, 中 60–<80, 差 < 60), the stated rate is spent / received (or budget).

CLI: python -m benchmarks.generate OUT N [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

MARKER = "【合成数据 SYNTHETIC — bpe benchmark】"
YEARS = list(range(2019, 2026))
MUNICIPAL = "北京市"
EDZ = "北京经济技术开发区"
DISTRICTS = [
    "东城区", "西城区", "朝阳区", "丰台区", "石景山区", "海淀区", "门头沟区", "房山区",
    "通州区", "顺义区", "昌平区", "大兴区", "怀柔区", "平谷区", "密云区", "延庆区",
]
PLACES = DISTRICTS + [MUNICIPAL, EDZ]

# Departments (without the place prefix) and project topics.
DEPARTMENTS = [
    "教育委员会", "卫生健康委员会", "生态环境局", "城市管理委员会", "民政局", "交通委员会",
    "水务局", "农业农村局", "文化和旅游局", "科学技术委员会", "人力资源和社会保障局",
    "住房和城乡建设委员会", "体育局", "商务局", "园林绿化局", "应急管理局",
]
TOPICS = [
    "义务教育学校校舍维修改造", "直属公立医院绩效考核", "地下水监管建设体系服务", "老旧小区综合整治",
    "背街小巷环境精细化整治提升", "养老服务驿站运营补贴", "农村基础设施管护", "中小河道综合治理",
    "公共文化设施免费开放", "科技创新券", "高校毕业生就业见习补贴", "城市道路大中修",
    "垃圾分类设施运行维护", "全民健身设施更新", "外贸企业稳增长扶持资金", "平原生态林养护",
    "应急物资储备", "社区卫生服务中心标准化建设", "智慧停车管理平台运维", "学生营养餐补助",
]
PHASES = ["", "", "", "（二期）", "（三期）", "（一期）"]

# Dimension weights (决策, 过程, 产出, 效益), each summing to 100.
WEIGHTS = [(15, 25, 35, 25), (10, 20, 40, 30), (20, 20, 30, 30), (10, 30, 30, 30), (15, 20, 40, 25)]
GRADE_WORDS = {"优": ["优", "优秀"], "良": ["良", "良好"], "中": ["中", "中等"], "差": ["差", "较差"]}

FW = str.maketrans("0123456789.%", "０１２３４５６７８９．％")
_HALF_PARENS = str.maketrans("（）", "()")

FILLER_BACKGROUND = [
    "该项目围绕年度重点任务组织实施，主要服务对象为辖区内相关单位和居民群众。",
    "项目单位成立了工作专班，明确了分管领导和具体责任人，建立了周调度工作机制。",
    "项目实施过程中，项目单位按照相关规定履行了政府采购程序，与服务单位签订了合同。",
    "项目内容包括前期调研、方案设计、组织实施、过程监督和成果验收等环节。",
    "为保障项目顺利推进，项目单位制定了实施方案和工作台账，定期召开推进会。",
]
FILLER_CONTENT = [
    "一是完善工作机制，明确各相关单位职责分工，形成工作合力。",
    "二是加强过程管理，建立项目台账，定期对实施进度和质量进行检查。",
    "三是强化服务保障，围绕服务对象需求优化服务内容和服务方式。",
    "四是做好宣传引导，通过多种渠道宣传项目政策和实施成效，营造良好氛围。",
    "五是加强成果运用，及时总结经验做法，为后续工作提供参考。",
]
FILLER_OUTPUT = [
    "项目按计划完成了年度工作任务，各项产出指标基本达到预期。",
    "通过项目实施，服务覆盖范围进一步扩大，群众获得感明显增强。",
    "项目单位组织开展了服务对象满意度调查，共回收有效问卷{n}份，满意度为{p}%。",
    "项目实施后，相关设施运行状况良好，未发生安全责任事故。",
    "项目质量验收合格率为100%，各项工作均在规定时限内完成。",
    "项目的实施有效改善了区域环境面貌，提升了公共服务水平，社会反响良好。",
]
FILLER_DETAIL = [
    "经核查，项目单位在申报阶段未充分结合历史数据进行测算，指标值设定依据不足，难以客观反映项目实施的实际成效。",
    "部分工作环节的记录不够完整，相关佐证材料未能及时归档，影响了评价工作对项目实施情况的判断。",
    "项目实施方案中对各阶段的工作要求表述较为原则，缺少可操作的时间节点和质量标准。",
    "项目单位对服务单位的履约情况考核不够细致，考核结果与合同款项支付的衔接不够紧密。",
]
FILLER_PROBLEMS = [
    "绩效目标设置不够清晰，部分指标未细化量化，可衡量性不足。",
    "项目前期调研不够充分，实施方案与实际需求存在一定偏差。",
    "过程管理资料不够完整，部分验收记录缺少签字确认。",
    "项目进度安排不够合理，部分工作集中在年底完成。",
    "效益指标与工作内容对应关系不够明确，社会效益体现不充分。",
]
FILLER_SUGGESTIONS = [
    "进一步完善绩效目标，做到指标细化、量化、可衡量。",
    "加强项目前期论证，科学测算工作量和资金需求。",
    "健全过程管理制度，规范档案资料的收集和归集。",
    "合理安排项目进度，加快实施节奏，提高工作效率。",
    "加强绩效评价结果应用，将评价结果作为以后年度安排预算的重要依据。",
]


# ---------------------------------------------------------------- small helpers

def q2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def plain(d: Decimal) -> str:
    """A Decimal as printed without exponent and without trailing zeros ('8.10' -> '8.1')."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def fmt_num(d: Decimal, rng: random.Random, places: int | None = 2, sep: bool | None = None) -> str:
    """Print a number: fixed places or minimal digits, with or without thousands separators."""
    if places is None:
        s = plain(d)
    else:
        s = format(d.quantize(Decimal(1).scaleb(-places)), "f")
    if sep is None:
        sep = rng.random() < 0.5
    if sep:
        whole, _, frac = s.partition(".")
        whole = f"{int(whole):,}"
        s = whole + ("." + frac if frac else "")
    return s


def full_width(s: str) -> str:
    return s.translate(FW)


def dec_str(d: Decimal | None) -> str | None:
    return None if d is None else plain(d)


def place_prefix(place: str) -> str:
    """How an organisation of the place is named: 北京市丰台区…, 北京市…, 北京经济技术开发区…."""
    if place == MUNICIPAL:
        return "北京市"
    if place == EDZ:
        return EDZ
    return "北京市" + place


def finance_bureau(place: str) -> str:
    return place_prefix(place) + "财政局"


def grade_of(total: Decimal) -> str:
    if total >= 90:
        return "优"
    if total >= 80:
        return "良"
    if total >= 60:
        return "中"
    return "差"


# ---------------------------------------------------------------- one report

def _scores(rng: random.Random):
    weights = rng.choice(WEIGHTS)
    band = rng.random()
    level = 0.93 + rng.random() * 0.06 if band < 0.3 else (0.81 + rng.random() * 0.08 if band < 0.75 else (0.62 + rng.random() * 0.16 if band < 0.95 else 0.40 + rng.random() * 0.18))
    dims = []
    for w in weights:
        r = min(1.0, max(0.0, level + rng.uniform(-0.06, 0.06)))
        dims.append(q2(Decimal(w) * Decimal(str(round(r, 4)))))
    total = sum(dims, Decimal(0))
    return weights, dims, total


def _indicator_rows(rng: random.Random, weights, dims):
    """Rows (level1, level2, level3, max, score) whose scores sum per dimension to `dims`."""
    names = [
        ("决策", [("项目立项", "立项依据充分性"), ("项目立项", "立项程序规范性"), ("绩效目标", "绩效目标合理性"), ("资金投入", "预算编制科学性")]),
        ("过程", [("资金管理", "资金到位率"), ("资金管理", "预算执行率"), ("资金管理", "资金使用合规性"), ("组织实施", "制度执行有效性")]),
        ("产出", [("产出数量", "实际完成率"), ("产出质量", "质量达标率"), ("产出时效", "完成及时性"), ("产出成本", "成本节约率")]),
        ("效益", [("项目效益", "实施效益"), ("项目效益", "社会效益"), ("满意度", "服务对象满意度")]),
    ]
    rows = []
    for (l1, items), w, score in zip(names, weights, dims):
        k = rng.randint(2, len(items))
        items = items[:k]
        # Split the weight into k integer maxima, and the score in proportion (last row takes the rest).
        cuts = sorted(rng.sample(range(1, w), k - 1)) if w > k else list(range(1, k))
        maxima = [b - a for a, b in zip([0] + cuts, cuts + [w])]
        ratio = score / Decimal(w)
        parts = [min(Decimal(m), q2(Decimal(m) * ratio)) for m in maxima[:-1]]
        last = score - sum(parts, Decimal(0))
        if last > maxima[-1] or last < 0:  # keep every row within its maximum
            parts = [q2(Decimal(m) * ratio) for m in maxima[:-1]]
            last = score - sum(parts, Decimal(0))
        parts.append(last)
        for i, ((l2, l3), m, s) in enumerate(zip(items, maxima, parts)):
            rows.append((l1 if i == 0 else "", l2 if i == 0 or items[i - 1][0] != l2 else "", l3, Decimal(m), s))
    return rows


def _table(rng: random.Random, project: str, rows, total: Decimal) -> str:
    out = [f"附件：{project}项目绩效评价指标体系及评分情况表", ""]
    if rng.random() < 0.5:
        out += [f"{project}项目绩效", "评价指标体系及评分情况表"]
    else:
        out += [f"{project}项目绩效评价指标体系及评分情况表"]
    header = ["一级指标", "二级指标", "三级指标", "分值", rng.choice(["专家评分", "得分", "评分"])]
    out.append("\n".join("\t" + c for c in header))
    out.append("")
    for l1, l2, l3, m, s in rows:
        out.append("\n".join("\t" + c for c in (l1, l2, l3, plain(m), fmt_num(s, rng, None, False))))
        out.append("")
    out.append("\n".join("\t" + c for c in ("合计", "100", fmt_num(total, rng, 2, False))))
    out.append("")
    return "\n".join(out)


def _amount(rng: random.Random, wan: Decimal, unit: str, fw: bool) -> str:
    if unit == "亿元":
        s = fmt_num(wan / 10000, rng, None, False) + "亿元"
    elif unit == "元":
        s = fmt_num(wan * 10000, rng, rng.choice([0, 2]), None) + "元"
    else:
        s = fmt_num(wan, rng, 2, None) + "万元"
    if fw:
        s = full_width(s)
    return s


def _page_break(rng: random.Random) -> str:
    return rng.choice(["\n\n", "\n\f\n", "\f"])


def _split_unit(s: str, rng: random.Random, p: float) -> str:
    """Sometimes put a page break between a number and its unit."""
    if rng.random() >= p:
        return s
    for unit in ("亿元", "万元", "元", "分"):
        if s.endswith(unit):
            return s[: -len(unit)] + _page_break(rng) + unit
    return s


def _title_lines(rng: random.Random, dept: str, project: str, self_eval: bool) -> list[str]:
    end = "绩效自评报告" if self_eval else rng.choice(["绩效评价报告", "项目绩效评价报告", "绩效评价的报告", "项目支出绩效评价报告"])
    full_project = project
    if rng.random() < 0.4:
        full_project = f"“{project}”"
    form = rng.random()
    if form < 0.4:
        return [f"{dept}{full_project}{end}"]
    if form < 0.75:
        return [dept, f"{full_project}{end}"]
    # three lines: department, project, the end with an optional phase
    cut = max(2, len(project) // 2)
    return [dept, project[:cut], project[cut:] + end] if full_project == project else [dept, full_project, end]


def make_report(rng: random.Random, place: str, year: int, in_bundle: bool) -> tuple[str, dict]:
    """One report's text and the values it states."""
    dept = place_prefix(place) + rng.choice(DEPARTMENTS)
    project = rng.choice(TOPICS) + rng.choice(PHASES)
    self_eval = (not in_bundle) and rng.random() < 0.2
    title_lines = _title_lines(rng, dept, project, self_eval)
    title = "".join(title_lines)
    weights, dims, total = _scores(rng)
    grade = grade_of(total)
    fund_year = year if (not in_bundle or rng.random() < 0.7) else year - 1
    fw_score = rng.random() < 0.15

    # ---- funds
    budget = q2(Decimal(rng.randint(1_000, 50_000_000)) / 100)  # 10 to 500,000 万元
    big = budget >= 10000 and rng.random() < 0.6
    if big:
        budget = (budget / 100).quantize(Decimal(1)) * 100  # a whole number of 百万, printable in 亿元 with 2 places
    has_received = rng.random() < 0.8
    received = budget if rng.random() < 0.5 else q2(budget * Decimal(str(round(rng.uniform(0.85, 1.0), 4))))
    if big:
        received = (received / 100).quantize(Decimal(1)) * 100
    base = received if has_received else budget
    spent = base if rng.random() < 0.25 else q2(base * Decimal(str(round(rng.uniform(0.55, 1.0), 4))))
    if big:
        spent = (spent / 100).quantize(Decimal(1)) * 100
    rate = q2(spent / base * 100) if base else None

    def unit_for() -> str:
        return "亿元" if big and rng.random() < 0.8 else rng.choice(["万元", "万元", "万元", "元"])

    fw_amount = rng.random() < 0.1
    b_s = _split_unit(_amount(rng, budget, unit_for(), fw_amount), rng, 0.1)
    r_s = _split_unit(_amount(rng, received, unit_for(), fw_amount), rng, 0.05)
    s_s = _split_unit(_amount(rng, spent, unit_for(), fw_amount), rng, 0.05)
    if rate == 100 or rng.random() < 0.7:
        rate_s = fmt_num(rate, rng, rng.choice([2, None]), False) + "%"
    else:
        rate_s = plain(rate / 100)  # 0.958 form
    if fw_amount:
        rate_s = full_width(rate_s)

    received_clause = ""
    if has_received:
        received_clause = rng.choice(["资金实际到位{r}，", "实际到位资金{r}，", "到位资金{r}，"]).format(r=r_s)
    funds_form = rng.randrange(3)
    if funds_form == 0:
        funds = f"{fund_year}年，{project}项目财政预算批复{b_s}，{received_clause}资金实际使用{s_s}，预算执行率为{rate_s}。"
    elif funds_form == 1:
        funds = f"{fund_year}年，安排预算资金{b_s}，全部为财政性资金，{received_clause}实际支出{s_s}，预算资金执行率为{rate_s}。"
    else:
        funds = f"该项目{fund_year}年年度预算{b_s}，{received_clause}累计支出{s_s}，执行率{rate_s}。"

    # ---- score and grade sentences
    total_s = fmt_num(total, rng, rng.choice([2, 2, None]), False)
    if fw_score:
        total_s = full_width(total_s)
    unit = "分"
    if rng.random() < 0.15:
        unit = _page_break(rng) + "分"
    score_form = rng.randrange(7)
    score_sentence = [
        f"该项目综合评价得分{total_s}{unit}",
        f"项目评价得分为{total_s}{unit}",
        f"该项目综合得分为{total_s}",
        f"项目最终得分{total_s}{unit}",
        f"本项目自评得分{total_s}{unit}",
        f"项目总分{total_s}{unit}",
        f"该项目评价结果为{total_s}{unit}",
    ][score_form]
    gw = rng.choice(GRADE_WORDS[grade])
    grade_sentence = rng.choice(
        [f"绩效级别评定为“{gw}”", f"评价等级为{gw}", f"等级为{gw}", f"评价结论为“{gw}”"]
    )

    # ---- dimension sentence
    dim_names = rng.choice(
        [("项目决策", "项目过程", "项目产出", "项目效益"), ("决策", "过程", "产出", "效益"), ("决策类", "过程管理", "产出类", "效益类")]
    )
    d_s = [fmt_num(d, rng, rng.choice([2, None]), False) for d in dims]
    if fw_score:
        d_s = [full_width(x) for x in d_s]
    dim_form = rng.randrange(3)
    if dim_form == 0:
        dim_sentence = "其中：" + "、".join(f"{n}得分{v}分" for n, v in zip(dim_names, d_s)) + "。"
    elif dim_form == 1:
        dim_sentence = "其中，" + "，".join(f"{n}指标得分为{v}分" for n, v in zip(dim_names, d_s)) + "。"
    else:
        dim_sentence = "各一级指标得分分别为：" + "、".join(f"{n}{v}分" for n, v in zip(dim_names, d_s)) + "。"

    # ---- assemble
    bureau = finance_bureau(place)
    lines: list[str] = list(title_lines)
    if self_eval:
        lines += [f"{bureau}：", f"按照{bureau}关于开展{year}年度项目支出绩效自评工作的要求，{dept}对“{project}”项目开展了绩效自评。{score_sentence}，{grade_sentence}。具体报告如下："]
    else:
        lines += [
            "",
            f"为进一步提高财政资金使用效益，根据《中华人民共和国预算法》等文件要求，{bureau}成立了绩效评价工作组，"
            f"对{dept}的“{project}”项目开展了绩效评价。{score_sentence}，{grade_sentence}。有关情况如下。",
        ]
    lines += ["", "一、项目基本情况", "", "（一）项目背景", ""]
    lines += ["".join(rng.sample(FILLER_BACKGROUND, 4)), "", "（二）项目主要内容及目标", ""]
    lines += ["".join(FILLER_CONTENT[: rng.randint(3, 5)]), ""]
    lines += [rng.choice(FILLER_DETAIL) + "".join(rng.sample(FILLER_BACKGROUND, 2))]
    lines += ["", rng.choice(["（二）项目资金情况", "3.资金投入和使用情况", "（三）项目资金情况"]), "", funds, ""]
    lines += ["二、绩效评价情况", "", "（一）绩效评价结论", ""]
    lines += [f"经专家评议，{score_sentence.replace('该项目', '项目')}，{grade_sentence}。{dim_sentence}"]
    lines += ["", "三、项目产出及效益情况", ""]
    lines += ["".join(rng.sample(FILLER_OUTPUT, 4)).format(n=rng.randint(50, 2000), p=rng.randint(850, 1000) / 10)]
    lines += ["", "四、存在的主要问题", ""]
    lines += [f"{i + 1}.{p}{rng.choice(FILLER_DETAIL)}" for i, p in enumerate(rng.sample(FILLER_PROBLEMS, 3))]
    lines += ["", "五、相关建议", ""]
    lines += [f"{i + 1}.{s}{rng.choice(FILLER_CONTENT)[3:]}" for i, s in enumerate(rng.sample(FILLER_SUGGESTIONS, 3))]
    lines += [""]
    if rng.random() < 0.7:
        lines += [_table(rng, project, _indicator_rows(rng, weights, dims), total)]
    text = "\n".join(lines) + "\n"

    expected = {
        "title": title.translate(_HALF_PARENS),  # as in the normalized text (see pipelines.text)
        "district": place,
        "report_year": year if in_bundle else fund_year,
        "total_score": dec_str(total),
        "grade": grade,
        "score_decision": dec_str(dims[0]),
        "score_process": dec_str(dims[1]),
        "score_output": dec_str(dims[2]),
        "score_outcome": dec_str(dims[3]),
        "budget_wan": dec_str(budget),
        "received_wan": dec_str(received) if has_received else None,
        "spent_wan": dec_str(spent),
        "execution_rate_pct": dec_str(rate),
    }
    return text, expected


# ---------------------------------------------------------------- a bundle

def make_explanation(rng: random.Random, place: str, year: int) -> tuple[str, dict]:
    if place == MUNICIPAL:
        title = rng.choice([f"关于{year}年预算绩效管理有关情况的说明", f"关于{year}年北京市预算绩效管理情况的说明"])
        we = "我市"
    else:
        title = rng.choice([f"关于{year}年{place}预算绩效管理情况的说明", f"关于{place}{year}年预算绩效管理有关情况的说明"])
        we = "我区"
    n_items = rng.randint(20, 1500)
    submitted = q2(Decimal(rng.randint(5_000, 9_000_000)) / 100 * 10)  # 500 to 900,000 万元
    unit = "亿元" if submitted >= 10000 and rng.random() < 0.7 else "万元"
    if unit == "亿元":
        submitted = (submitted / 100).quantize(Decimal(1)) * 100
        reduced = (submitted * Decimal(str(round(rng.uniform(0.03, 0.2), 3))) / 100).quantize(Decimal(1)) * 100
    else:
        reduced = q2(submitted * Decimal(str(round(rng.uniform(0.03, 0.2), 4))))

    def amt(w: Decimal) -> str:
        return (plain(w / 10000) + "亿元") if unit == "亿元" else (fmt_num(w, rng, 2, None) + "万元")

    items = rng.choice([f"事前绩效评估项目{n_items}个", f"事前绩效评估项目（政策）{n_items}个"])
    cut = rng.choice(["审减资金", "审减金额"])
    exante = f"{we}组织开展{items}，涉及资金{amt(submitted)}，{cut}{amt(reduced)}。"
    body = [
        title,
        "",
        f"{year}年，{we}按照预算绩效管理工作整体部署和要求，持续完善预算绩效管理体系，强化全过程预算绩效管理，推动财政资金聚力增效。",
        "一、夯实预算绩效管理基础。不断完善预算绩效管理制度体系，建立主动邀请人大代表、政协委员参与监督的工作机制。",
        f"二、做实全过程预算绩效管理。{exante}对重点项目和政策开展财政事后绩效评价，持续实现绩效目标管理和绩效运行监控全覆盖。",
        "三、深化全成本绩效管理改革。首次实现以街乡镇为主体自行开展成本绩效分析全覆盖。",
        "",
    ]
    return "\n".join(body), {"n_items": n_items, "submitted_wan": dec_str(submitted), "reduced_wan": dec_str(reduced)}


# ---------------------------------------------------------------- files

def make_file(rng: random.Random) -> tuple[str, dict]:
    place = rng.choice(PLACES)
    year = rng.choice(YEARS)
    if rng.random() < 0.1:
        expl, exante = make_explanation(rng, place, year)
        parts, reports = [expl], []
        k = rng.randint(2, 5)
        if rng.random() < 0.3:  # a cover and a table of contents, as in the municipal batch
            parts.append(f"附件：{place_prefix(place)}财政支出绩效评价报告\n\n{finance_bureau(place)}\n\n{year + 1}年7月\n\n目 录\n")
            toc_at = len(parts) - 1
        else:
            toc_at = None
        for _ in range(k):
            t, e = make_report(rng, place, year, in_bundle=True)
            parts.append(t)
            reports.append(e)
        if toc_at is not None:
            parts[toc_at] += "".join(f"{r['title']} ····\t{i * 5 + 1}\n" for i, r in enumerate(reports))
        body = "\n\n".join(parts)
        expected = {"kind": "bundle", "district": place, "report_year": year, "exante": exante, "reports": reports}
    else:
        t, e = make_report(rng, place, year, in_bundle=False)
        body = t
        expected = {"kind": "report", "district": place, "report_year": e["report_year"], "exante": None, "reports": [e]}
    return f"{MARKER}\n\n{body}", expected


def file_name(i: int) -> str:
    return f"syn_{i:06d}"


def generate(out_dir: Path, n: int, seed: int = 0, start: int = 0) -> list[Path]:
    """Write n synthetic files (`syn_NNNNNN.txt` + `.expected.json`) under out_dir; return the .txt paths.

    File i depends only on (seed, i): the first files of a larger run equal a smaller run's.
    """
    out_dir = Path(out_dir)
    project_raw = (Path(__file__).resolve().parent.parent / "data" / "raw").resolve()
    target = out_dir.resolve()
    if target == project_raw or project_raw in target.parents:
        raise ValueError(f"synthetic files never go into the project's raw folder ({project_raw})")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        rng = random.Random(f"bpe-synthetic:{seed}:{i}")
        text, expected = make_file(rng)
        name = file_name(i)
        p = out_dir / f"{name}.txt"
        p.write_text(text, encoding="utf-8")
        expected = {"file": p.name, "synthetic": True, "seed": seed, "index": i, **expected}
        (out_dir / f"{name}.expected.json").write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
        paths.append(p)
    return paths


def expected_for(txt: Path) -> dict:
    return json.loads(txt.with_name(txt.stem + ".expected.json").read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write N synthetic budget-performance report files (+ .expected.json) to OUT.")
    ap.add_argument("out", type=Path)
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    try:
        paths = generate(a.out, a.n, a.seed)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{len(paths)} files written to {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
