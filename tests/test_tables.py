"""Tables in normalized report text: the corpus layouts plus pipe / space-run variants.

Every corpus snippet below is copied verbatim from the normalized corpus (a test checks it);
the expected values were read from the reports by hand.
"""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.extract.tables import (
    Table,
    dimension_rows,
    find_tables,
    indicator_rows,
    table_kind,
    target_rows,
    to_decimal,
)
from tests.conftest import FENGTAI, MUNICIPAL, SHIJINGSHAN, corpus_text

# ----------------------------------------------------------------- corpus snippets

HOSPITALS = """附件:直属公立医院绩效考核项目绩效评价指标体系及评分情况表

直属公立医院绩效考核项目绩效
评价指标体系及评分情况表
\t一级指标
\t二级指标
\t三级指标
\t分值
\t专家评分

\t决策
\t项目立项
\t立项依据充分性
\t1.5
\t1.44

\t
\t
\t立项程序规范性
\t1.5
\t1.48

\t
\t绩效目标
\t绩效目标合理性
\t2
\t1.1

\t
\t
\t绩效指标明确性
\t2
\t1.46

\t
\t资金投入
\t预算编制科学性
\t1.5
\t1.28

\t
\t
\t资金分配合理性
\t1.5
\t1.34

\t过程
\t资金管理
\t资金到位率
\t5
\t4.8

\t
\t
\t预算执行率
\t3
\t3

\t
\t
\t资金使用合规性
\t4
\t3.7

\t
\t组织实施
\t管理制度健全性
\t4
\t3.08

\t
\t
\t制度执行有效性
\t4
\t3.5

\t产出
\t产出数量
\t实际完成率
\t10
\t9.7

\t
\t产出质量
\t质量达标率
\t10
\t8.8

\t
\t产出时效
\t完成及时性
\t10
\t9.3

\t
\t产出成本
\t成本节约率
\t10
\t9.9

\t效益
\t项目效益
\t实施效益
\t20
\t15.6

\t
\t
\t满意度
\t10
\t7.40

\t合计
\t100
\t86.88




北京市丰台区生态环境局
"""

GROUNDWATER = """附件:地下水“双源”监管建设体系服务项目(二期)项目绩效评价指标体系及评分情况表


地下水“双源”监管建设体系服务项目(二期)
绩效评价指标体系及评分情况表
\t一级指标
\t二级指标
\t三级指标
\t分值
\t专家评分

\t决策
\t项目立项
\t立项依据充分性
\t1
\t1.00

\t
\t
\t立项程序规范性
\t1
\t0.88

\t
\t绩效目标
\t绩效目标合理性
\t2.5
\t2.00

\t
\t
\t绩效指标明确性
\t2.5
\t1.86

\t
\t资金投入
\t预算编制科学性
\t1.5
\t1.00

\t
\t
\t资金分配合理性
\t1.5
\t1.35

\t过程
\t资金管理
\t资金到位率
\t2
\t2.00

\t
\t
\t预算执行率
\t3
\t2.99

\t
\t
\t资金使用合规性
\t5
\t4.00

\t
\t组织实施
\t管理制度健全性
\t5
\t3.80

\t
\t
\t制度执行有效性
\t5
\t4.40

\t产出
\t产出数量
\t实际完成率
\t15
\t13.22

\t
\t产出质量
\t质量达标率
\t10
\t8.90

\t
\t产出时效
\t完成及时性
\t10
\t9.80

\t
\t产出成本
\t成本节约率
\t5
\t3.60

\t效益
\t项目效益
\t实施效益
\t20
\t17.40

\t
\t
\t满意度
\t10
\t6.70

\t合计
\t100
\t84.90




北京市丰台区住房和建设委员会
"""

SHANTYTOWN_TARGETS = """区住建委和中铁建均对本项目设置了年度绩效指标，具体如下:
表1 区住建委2024年东铁营棚户区改造和环境整治项目绩效目标表
\t一级指标
\t二级指标
\t三级指标
\t指标值

\t产出指标
\t时效指标
\t严格按照资金拨付时效支出
\t严格按照资金拨付时效支出

\t效益指标
\t生态效益指标
\t做好拆迁现场管理工作
\t做好拆迁现场管理工作

\t满意度指标
\t服务对象满意度指标
\t主管单位对项目工作满意度
\t主管单位对项目工作满意度


表2 中铁建2024年东铁营棚户区改造和环境整治项目
绩效目标表(3.90亿元)
\t一级指标
\t二级指标
\t三级指标

\t
\t
\t内容
\t单位
\t指标值

\t产出指标
\t数量指标
\t项目拆迁
\t户
\t完成267户居民及村民搬迁补偿，7处非宅搬迁。

\t
\t
\t安置房建设
\t平方米
\t完成安置房5、6号地块建设7.83万平方米

\t
\t质量指标
\t安置房建设
\t
\t完成7.83万平方米安置房建设，安置1200户村民入住。改善地区环境，提升空间品质，为居民提供更便捷、舒适、生态的居住环境。

\t
\t时效指标
\t任务完成进度
\t%
\t完成安置房5、6号地块建设7.83万平方米，达到竣工并交付使用，完成100%

\t
\t
\t债券资金的支出进度
\t%
\t10月底前完成全部债券资金支出

\t
\t成本指标
\t拆迁补偿
\t-
\t完成集体和国有土地搬迁补偿及相关资金支出3.9亿元。

\t效益指标
\t经济效益指标
\t经济发展指标
\t-
\t优化产业布局

\t
\t
\t项目收入实现指标
\t-
\t完成首批经营性地块入市，预计收入40亿元。

\t
\t社会效益指标
\t社会发展指标
\t-
\t有效促进金融管理、信息服务、商务服务等生产性服务业专业化、高端化发展，改造提升传统服务业，进一步提升生活性服务业发展品质。

\t
\t生态效益指标
\t生态效益指标
\t-
\t疏解非首都功能，降低人口密度，促进城市空间集约高效利用。

\t
\t可持续影响
\t长期性政策影响和社会影响
\t-
\t使社会资源优化配置，有利于改善环境和建设和谐社会

\t满意度指标
\t服务对象满意度
\t具体服务对象的满意度
\t%
\t服务对象满意度≥96%


表3 中铁建2024年东铁营棚户区改造和环境整治项目
绩效目标表(1.10亿元)
\t一级指标
\t二级指标
\t三级指标

\t
\t
\t内容
\t单位
\t指标值

\t产出指标
\t数量指标
\t项目拆迁
\t户
\t完成16户居民及村民搬迁补偿，1处非宅搬迁。

\t
\t质量指标
\t安置房建设
\t-
\t安置200户村民入住。改善地区环境，提升空间品质，为居民提供更便捷、舒适、生态的居住环境。

\t
\t时效指标
\t债券资金的支出进度
\t%
\t10月底前完成全部债券资金支出

\t
\t成本指标
\t拆迁补偿
\t-
\t完成集体和国有土地搬迁补偿及相关资金支出1.1亿元。

\t效益指标
\t经济效益指标
\t经济发展指标
\t-
\t优化产业布局

\t
\t社会效益指标
\t人们的生活水平、生活质量的普遍改善和提高
\t-
\t有效促进金融管理、信息服务、商务服务等生产性服务业专业化、高端化发展，改造提升传统服务业，进一步提升生活性服务业发展品质。

\t
\t生态效益指标
\t生态保护和资源利用
\t-
\t疏解非首都功能，降低人口密度，促进城市空间集约高效利用。

\t
\t可持续影响
\t优化资源配置
\t-
\t使社会资源优化配置，有利于改善环境和建设和谐社会

\t满意度指标
\t服务对象满意度
\t拆迁安置居民的满意度
\t%
\t服务对象满意度≥96%



(三)项目资金情况
"""

SHANTYTOWN = """附件:丰台区东铁营棚户区改造和环境整治项目绩效评价指标体系及评分情况表

丰台区东铁营棚户区改造和环境整治项目
绩效评价指标体系及评分情况表

\t一级指标
\t二级指标
\t三级指标
\t分值
\t专家评分

\t决策
\t项目立项
\t立项依据充分性
\t1
\t1

\t
\t
\t立项程序规范性
\t2
\t2

\t
\t资金投入
\t债券资金申请科学性
\t4.50
\t4.50

\t
\t绩效目标
\t绩效目标合理性
\t3
\t1

\t
\t
\t绩效指标明确性
\t4.50
\t1.50

\t过程
\t专项债券管理
\t专项债券预算管理规范性
\t3
\t1.50

\t
\t
\t项目收入、成本及预期收益合理性
\t3
\t2.40

\t
\t资金使用管理
\t资金到位率
\t2
\t2

\t
\t
\t资金使用率
\t2
\t2

\t
\t
\t资金拨付和支出进度与项目建设进度匹配性
\t1
\t1

\t
\t
\t资金使用合规性
\t2
\t0

\t
\t组织实施
\t管理制度健全性
\t4
\t4

\t
\t
\t制度执行有效性
\t4
\t2

\t
\t
\t专项债券项目信息管理规范性
\t4
\t4

\t产出
\t产出数量
\t项目建设形成资产实际完成率
\t8
\t7.20

\t
\t产出质量
\t项目建设质量达标率
\t8
\t8

\t
\t产出时效
\t项目建设进度及时性
\t7
\t5

\t
\t产出成本
\t项目建设成本节约情况
\t7
\t6.40

\t效益
\t项目综合效益
\t东铁营棚户改造项目的经济效益
\t8
\t8

\t
\t
\t东铁营棚户改造项目的社会效益
\t8
\t8

\t
\t
\t东铁营棚户改造项目的生态效益
\t7
\t7

\t
\t满意度
\t居民满意度
\t7
\t3.50
 北京丽泽金融商务区管理委员会
丽泽金融商务区2023年重点区域综合整治提升项目绩效评价报告
"""

LIZE = """附件:丽泽金融商务区2023年重点区域综合整治提升项目绩效评价指标体系及评分情况表

丽泽金融商务区2023年重点区域综合整治提升项目
绩效评价指标体系及评分情况表
\t一级指标
\t二级指标
\t三级指标
\t分值
\t专家评分

\t决策
\t项目立项
\t立项依据充分性
\t2
\t1.78

\t
\t
\t立项程序规范性
\t2
\t1.56

\t
\t绩效目标
\t绩效目标合理性
\t1.5
\t1.08

\t
\t
\t绩效指标明确性
\t1.5
\t1.00

\t
\t资金投入
\t预算编制科学性
\t1.5
\t0.92

\t
\t
\t资金分配合理性
\t1.5
\t0.92

\t过程
\t资金管理
\t资金到位率
\t2
\t1.56

\t
\t
\t预算执行率
\t3
\t3.00

\t
\t
\t资金使用合规性
\t5
\t4.09

\t
\t组织实施
\t管理制度健全性
\t5
\t3.80

\t
\t
\t制度执行有效性
\t5
\t3.40

\t产出
\t产出数量
\t实际完成率
\t12
\t10.72

\t
\t产出质量
\t质量达标率
\t12
\t10.90

\t
\t产出时效
\t完成及时性
\t12
\t10.30

\t
\t产出成本
\t成本节约率
\t4
\t2.70

\t效益
\t项目效益
\t实施效益
\t20
\t16.10

\t
\t
\t满意度
\t10
\t7.40

\t合计
\t100
\t81.23"""

SJS_TARGETS = """2.评价指标体系

项目支出绩效评价指标体系主要由项目决策、项目管理、项目产出、项目效益四个一级指标构成，体现绩效评价指标体系的主要部分。结合项目支出绩效目标和项目实际，对绩效指标的完整性、相关性、适当性、可行性进行客观、公正评价。具体情况见下表:
\t二级指标
\t三级指标
\t指标值
\t完成值

\t投入成本
\t项目预算
\t预算执行率100:%
\t预算执行率50%

\t产出数量
\t制定支持高精尖产业发展的政策清单
\t制定高精尖产业政策补助清单
\t制定《石景山区促进高精尖产业发展若干措施(试行)》管理办法

\t产出数量
\t建立招商引资目标企业长短名单

\t明确“1+3+1”高精尖产业细分领域，研究制定招商引资目标企业长短名单
\t制定《关于落实石景山区促进高精尖产业发展若干措施的实施细则(试行)》管理办法

\t产出数量
\t明确“一事一议”企业政策支持标准
\t进一步规范“一事一议”政策标准、程序、流程等
\t为中铁建资本、首钢基金、中船海神等9家企业对接洽谈“一事一议” 支持政策，报请财源专班会、产业领导小组会及区政府常务会审议，已与其中6家企业签订合作协议。

\t产出数量
\t优化招商引资工作流程和惠企政策兑现流程
\t优化政策条款、统一口径和标准
\t将“2+N”政策体系共76项政策优化为五个方面10项政策及各专项政策，梳理明晰兑现流程，更简便易行

\t经济效益指标
\t提升政策资金利用的有效性，缩短政策兑现流程，有效促进企业在我区落地
\t形成石景山区高精尖产业相关扶持文件，为区域经济发展提供有力政策支持
\t通过对石景山区现状以及其他各区情况的调研，形成了石景山区高精尖产业调研报告，并依据报告形成适合石景山区的政策文件，为区域产业发展提供政策支持

\t可持续影响指标
\t优化营商环境，持续提升区域影响力和吸引力
\t为优化营商环境提供政策支持，确保符合情况的企业持续受到政策支出
\t根据制定的《石景山区促进高精尖产业发展若干措施(试行)》制定了文件实施细则，确保相关规定落实到位


3.评价方法
"""

SJS_SUMMARY = """经过综合评价，石景山区优化升级区域高精尖产业发展政策课题项目得分91.5分，其中，项目决策5分、项目过程57.58分、项目产出14.22分、项目效益14.7分。评价等级为“优”。具体情况见下表:

\t评价内容
\t标准分值
\t评价得分
\t得分率

\t投入指标
\t10
\t5
\t50%

\t产出指标
\t60
\t57.58
\t95.97%

\t效益指标
\t15
\t14.22
\t94.8%

\t可持续影响指标
\t15
\t14.7
\t98%

\t综合得分
\t100
\t91.5
\t91.5%

\t评价档次
\t优


四、绩效评价指标分析
"""

MUNICIPAL_T1 = """表 1 市属医院等优质医疗资源扩大辐射各子项目主要内容

序号\t子项目名称\t子项目内容
1\t朝阳医院东院区开办费\t为保障 2024 年实现门诊满负荷运行，完成扩容、下沉的任务，满足周边百姓就医需求，2024 年项目资金主要用于支付医用设备、科研类设备、一般设备设施、信息化设备以及家具采购合同尾款。2024 年项目总金额为 10000 万元。
2\t友谊医院通州院区二期建设开办费\t为保障通州院区(二期)正式开业后基本服务功能，同时保证运行初期医院营运平稳安全，开办费资金用于购置医用设备、一般设备及家具、信息化建设和安防消防系统建设，以满足医院基本运行，为当地居民提供医疗救治服务。2024 年项目总金额为 7000 万元。
3\t友谊医院顺义院区开办费\t顺义院区已于 2024 年开业，为保障顺义院区正式开业后基本服务功能，同时保证运行初期医院营运平稳安全，申请开办费资金用于购置医用设备、一般设备及家具、信息化建设、安防消防系

序号\t子项目名称\t子项目内容
\t\t统，以满足医院基本运行，为当地居民提供医疗救治服务。2024年项目总金额为18000万元。
4\t安贞医院通州院区开办费\t安贞医院已于2024年10月正式开业，按照保开业、保运转的标准配备通州院区设备，主要支付设备首尾款及进度款。2024年项目年初预算金额80000万元，年中预算调整金额2271万元，全年预算金额82271万元。
5\t积水潭医院回龙观院区二期建设开办费\t回龙观院区二期已开业，为保证各科室设备逐步进场，设备运行后尽快验收，开办工作有效持续推进。2024年项目资金主要用于支付前期签订的合同中期款，以及申请设备购置等。2024年项目总金额为40000万元。
6\t口腔医院整体迁建开办费\t医院新院区已于2024年底开诊，为提升诊疗服务软硬件基础能力，2024年购置临床医技科室所用医用设备、口腔医学研究所需临床科研仪器、医院开诊所需信息化软硬件设备、食堂及技工室除尘设备等非医疗用一般设备设施、安防消防系统、标识系统、办公家具等。2024年项目总金额为22000万元。
7\t清华长庚医院二期工程开办费\t北京清华长庚医院二期工程项目作为北京市“回天计划”的重点工程项目之一，建成后将新增床位500张。项目内容为购置二期综合楼开业所需的医疗设备、信息化建设、一般设备设施、后勤家具及安防消防器材。2024年项目总金额为35000万元。
8\t胸科医院危房改建项目开办费\t为保障医院顺利开办，2024年购置医用设备、标识标牌、家具被服等，项目总金额3000万元。
9\t回龙观医院科研康复楼开办费\t为进一步发挥回龙观医院自身优势，优化提升回龙观、天通苑地区医疗服务水平，保障医院顺利开业，2024年购置办公家具、标

序号\t子项目名称\t子项目内容
\t\t识牌等，由于科研教学康复楼未完成竣工验收，造成医院不具备对 4054 件办公家具进行验收的条件，从而无法在 2024 年完成验收工作。项目年初申请预算金额为 5000 万元，年中调减 2271 万元，实际预算金额为 2729 万元。
10\t友谊医院顺义院区基建费用\t北京友谊医院顺义院区项目位于顺义区机场北线南路，为医疗卫生综合体，总占地面积 112518.57 平方米，总建筑面积 241740 平方米，其中地上建筑面积 123770 平方米，地下建筑面积 11797 平方米。院区分为门急诊医技综合楼、科研办公楼、教学宿舍楼及 1 号、2 号住院楼等建筑，另有锅炉房、2 号变配电室等纯地下建筑，以及门房、液氧站等。2024 年项目总金额为 10000 万元。

2. 项目绩效目标
"""

SJS_FORM = """附件:北京市石景山区优化升级区域高精尖产业发展政策课题项目评分汇总表
 附件

2022年石景山区优化升级区域高精尖产业发展政策项目绩效评分汇总表
\t项目名称
\t2022年石景山区优化升级区域高精尖产业发展政策项目

\t主管部门
\t北京市石景山区投资促进服务中心
\t实施单位
\t北京市石景山区投资促进服务中心

\t年度总体目标
\t预期目标
\t实际完成情况

\t
\t1.结合“1+3+1”高精尖发展格局和创新趋势，进一步优化调整高精尖产业发展路径。

2.坚持按照逻辑性和有效性两个原则，系统研究产业发展、招商引资和政策体系逻辑，明晰思路举措，优化工作流程，补齐工作短板。

3.明确升级区域高精尖产业政策体系的主要目标、实施路径和具体举措，进一步优化政策环境，推动区域高精尖产业集聚和创新发展。
\t1.完成区域“1+3+1”高精尖发展格局和创新趋势研究，优化调整高精尖产业发展路径。

2.按照逻辑性和有效性两个原则，完成产业发展、招商引资和政策体系逻辑，更加明晰思路举措，优化工作流程，补齐工作短板。

3.明确升级区域高精尖产业政策体系的主要目标、实施路径和具体举措，优化政策环境，推动区域高精尖产业集聚和创新发展。"""


CORPUS_SNIPPETS = [
    (FENGTAI, HOSPITALS),
    (FENGTAI, GROUNDWATER),
    (FENGTAI, SHANTYTOWN_TARGETS),
    (FENGTAI, SHANTYTOWN),
    (FENGTAI, LIZE),
    (SHIJINGSHAN, SJS_TARGETS),
    (SHIJINGSHAN, SJS_SUMMARY),
    (SHIJINGSHAN, SJS_FORM),
    (MUNICIPAL, MUNICIPAL_T1),
]


@pytest.mark.parametrize("path,snippet", CORPUS_SNIPPETS)
def test_snippets_are_verbatim_corpus_text(path, snippet):
    assert snippet in corpus_text(path)


def only_table(text: str) -> Table:
    tables = find_tables(text)
    assert len(tables) == 1, [t.header for t in tables]
    return tables[0]


def levels(row: dict):
    return (row["level1"], row["level2"], row["level3"], row["max_score"], row["score"])


# ------------------------------------------------------ Fengtai: indicator score tables

# (snippet, caption, rows, selected rows by number, printed total or None, printed final score)
FENGTAI_SCORE_TABLES = [
    pytest.param(
        HOSPITALS,
        "直属公立医院绩效考核项目绩效评价指标体系及评分情况表",
        17,
        {
            1: ("决策", "项目立项", "立项依据充分性", D("1.5"), D("1.44")),
            2: ("决策", "项目立项", "立项程序规范性", D("1.5"), D("1.48")),
            3: ("决策", "绩效目标", "绩效目标合理性", D("2"), D("1.1")),
            7: ("过程", "资金管理", "资金到位率", D("5"), D("4.8")),
            8: ("过程", "资金管理", "预算执行率", D("3"), D("3")),
            13: ("产出", "产出质量", "质量达标率", D("10"), D("8.8")),
            17: ("效益", "项目效益", "满意度", D("10"), D("7.40")),
        },
        (D("100"), D("86.88")),
        D("86.88"),
        id="hospitals",
    ),
    pytest.param(
        GROUNDWATER,
        "地下水“双源”监管建设体系服务项目(二期)绩效评价指标体系及评分情况表",
        17,
        {
            1: ("决策", "项目立项", "立项依据充分性", D("1"), D("1.00")),
            9: ("过程", "资金管理", "资金使用合规性", D("5"), D("4.00")),
            12: ("产出", "产出数量", "实际完成率", D("15"), D("13.22")),
            16: ("效益", "项目效益", "实施效益", D("20"), D("17.40")),
            17: ("效益", "项目效益", "满意度", D("10"), D("6.70")),
        },
        (D("100"), D("84.90")),
        D("84.90"),
        id="groundwater",
    ),
    pytest.param(
        SHANTYTOWN,
        "丰台区东铁营棚户区改造和环境整治项目绩效评价指标体系及评分情况表",
        22,
        {
            1: ("决策", "项目立项", "立项依据充分性", D("1"), D("1")),
            3: ("决策", "资金投入", "债券资金申请科学性", D("4.50"), D("4.50")),
            5: ("决策", "绩效目标", "绩效指标明确性", D("4.50"), D("1.50")),
            7: ("过程", "专项债券管理", "项目收入、成本及预期收益合理性", D("3"), D("2.40")),
            11: ("过程", "资金使用管理", "资金使用合规性", D("2"), D("0")),
            14: ("过程", "组织实施", "专项债券项目信息管理规范性", D("4"), D("4")),
            19: ("效益", "项目综合效益", "东铁营棚户改造项目的经济效益", D("8"), D("8")),
            22: ("效益", "满意度", "居民满意度", D("7"), D("3.50")),
        },
        None,  # this table has no 合计 row; the report gives 82 分 in its text
        D("82.00"),
        id="shantytown-no-total",
    ),
    pytest.param(
        LIZE,
        "丽泽金融商务区2023年重点区域综合整治提升项目绩效评价指标体系及评分情况表",
        17,
        {
            5: ("决策", "资金投入", "预算编制科学性", D("1.5"), D("0.92")),
            6: ("决策", "资金投入", "资金分配合理性", D("1.5"), D("0.92")),
            8: ("过程", "资金管理", "预算执行率", D("3"), D("3.00")),
            14: ("产出", "产出时效", "完成及时性", D("12"), D("10.30")),
            17: ("效益", "项目效益", "满意度", D("10"), D("7.40")),
        },
        (D("100"), D("81.23")),
        D("81.23"),
        id="lize",
    ),
]


@pytest.mark.parametrize("text,caption,n_rows,selected,total,final", FENGTAI_SCORE_TABLES)
def test_fengtai_score_tables(text, caption, n_rows, selected, total, final):
    t = only_table(text)
    assert t.layout == "tab"
    assert t.header == ["一级指标", "二级指标", "三级指标", "分值", "专家评分"]
    assert t.caption == caption
    assert table_kind(t) == "indicator_scores"
    rows, got_total = indicator_rows(t)
    assert len(rows) == n_rows
    assert [r["row_no"] for r in rows] == list(range(1, n_rows + 1))
    for no, expected in selected.items():
        assert levels(rows[no - 1]) == expected
    # merged cells are carried down: no row lacks a level
    assert all(r["level1"] and r["level2"] and r["level3"] for r in rows)
    if total is None:
        assert got_total is None
    else:
        assert (got_total["max_score"], got_total["score"]) == total
    assert sum(r["max_score"] for r in rows) == D("100")
    assert sum(r["score"] for r in rows) == final


def test_fengtai_score_table_offsets():
    t = only_table(HOSPITALS)
    assert HOSPITALS[t.start : t.end].startswith("\t一级指标\n\t二级指标")
    assert HOSPITALS[t.start : t.end].endswith("\t合计\n\t100\n\t86.88")
    assert HOSPITALS[t.caption_start :].startswith("直属公立医院绩效考核项目绩效\n评价指标体系")
    # the raw rows keep merged cells empty; the total row is a short row of 3 cells
    assert t.rows[1] == ["", "", "立项程序规范性", "1.5", "1.48"]
    assert t.rows[-1] == ["合计", "100", "86.88"]


def test_table_directly_followed_by_a_report_title_ends_before_it():
    t = only_table(SHANTYTOWN)
    title = SHANTYTOWN.index(" 北京丽泽金融商务区管理委员会")
    assert t.end == title - 1  # the newline just before the title
    assert SHANTYTOWN[t.start : t.end].endswith("\t居民满意度\n\t7\n\t3.50")
    assert t.rows[-1] == ["", "满意度", "居民满意度", "7", "3.50"]


# ------------------------------------------------------ Fengtai: target tables 表1/表2/表3


def test_fengtai_target_tables():
    t1, t2, t3 = find_tables(SHANTYTOWN_TARGETS)
    assert [table_kind(t) for t in (t1, t2, t3)] == ["targets"] * 3
    assert t1.caption == "表1 区住建委2024年东铁营棚户区改造和环境整治项目绩效目标表"
    assert t2.caption == "表2 中铁建2024年东铁营棚户区改造和环境整治项目绩效目标表(3.90亿元)"
    assert t3.caption == "表3 中铁建2024年东铁营棚户区改造和环境整治项目绩效目标表(1.10亿元)"
    assert t1.header == ["一级指标", "二级指标", "三级指标", "指标值"]
    # two-row header: "一级指标 二级指标 三级指标" over "_ _ 内容 单位 指标值"
    assert t2.header == ["一级指标", "二级指标", "三级指标/内容", "单位", "指标值"]
    assert t3.header == t2.header
    assert [len(target_rows(t)) for t in (t1, t2, t3)] == [3, 12, 9]
    assert t1.end < t2.start < t2.end < t3.start


def test_fengtai_table1_targets_without_unit_or_actual():
    t1 = find_tables(SHANTYTOWN_TARGETS)[0]
    assert target_rows(t1)[1] == dict(
        row_no=2, level1="效益指标", level2="生态效益指标", level3="做好拆迁现场管理工作",
        unit=None, target="做好拆迁现场管理工作", actual=None,
    )


def test_fengtai_table2_two_row_header_targets():
    t2 = find_tables(SHANTYTOWN_TARGETS)[1]
    rows = target_rows(t2)
    assert rows[0] == dict(
        row_no=1, level1="产出指标", level2="数量指标", level3="项目拆迁",
        unit="户", target="完成267户居民及村民搬迁补偿，7处非宅搬迁。", actual=None,
    )
    assert (rows[1]["level1"], rows[1]["level2"], rows[1]["unit"]) == ("产出指标", "数量指标", "平方米")
    assert rows[2]["level2"] == "质量指标" and rows[2]["level3"] == "安置房建设"
    assert rows[2]["unit"] is None  # the 单位 cell is empty in the report
    assert rows[2]["target"].startswith("完成7.83万平方米安置房建设，安置1200户村民入住。")
    assert (rows[4]["level2"], rows[4]["level3"], rows[4]["unit"], rows[4]["target"]) == (
        "时效指标", "债券资金的支出进度", "%", "10月底前完成全部债券资金支出",
    )
    assert (rows[5]["unit"], rows[5]["target"]) == ("-", "完成集体和国有土地搬迁补偿及相关资金支出3.9亿元。")
    assert (rows[6]["level1"], rows[6]["level2"], rows[6]["level3"]) == ("效益指标", "经济效益指标", "经济发展指标")
    assert rows[11] == dict(
        row_no=12, level1="满意度指标", level2="服务对象满意度", level3="具体服务对象的满意度",
        unit="%", target="服务对象满意度≥96%", actual=None,
    )


def test_fengtai_table3_targets():
    t3 = find_tables(SHANTYTOWN_TARGETS)[2]
    rows = target_rows(t3)
    assert (rows[0]["unit"], rows[0]["target"]) == ("户", "完成16户居民及村民搬迁补偿，1处非宅搬迁。")
    assert rows[5]["level3"] == "人们的生活水平、生活质量的普遍改善和提高"
    assert rows[8]["level3"] == "拆迁安置居民的满意度"


# ------------------------------------------------------------------- Shijingshan


def test_shijingshan_target_table_with_a_stray_blank_line_in_a_row():
    t = only_table(SJS_TARGETS)
    assert t.header == ["二级指标", "三级指标", "指标值", "完成值"]
    assert t.caption is None  # only a sentence ("具体情况见下表:") stands above it
    assert table_kind(t) == "targets"
    rows = target_rows(t)
    assert len(rows) == 7
    assert rows[0] == dict(
        row_no=1, level1=None, level2="投入成本", level3="项目预算",
        unit=None, target="预算执行率100:%", actual="预算执行率50%",
    )
    # the row cut in two by a blank line in the report
    assert rows[2] == dict(
        row_no=3, level1=None, level2="产出数量", level3="建立招商引资目标企业长短名单",
        unit=None, target="明确“1+3+1”高精尖产业细分领域，研究制定招商引资目标企业长短名单",
        actual="制定《关于落实石景山区促进高精尖产业发展若干措施的实施细则(试行)》管理办法",
    )
    assert rows[6]["level2"] == "可持续影响指标"
    assert rows[6]["level3"] == "优化营商环境，持续提升区域影响力和吸引力"
    assert SJS_TARGETS[t.end :].startswith("\n\n\n3.评价方法")


def test_shijingshan_summary_table():
    t = only_table(SJS_SUMMARY)
    assert t.header == ["评价内容", "标准分值", "评价得分", "得分率"]
    assert table_kind(t) == "dimension_summary"
    assert t.rows[-1] == ["评价档次", "优"]
    rows, extra = dimension_rows(t)
    total, grade = extra["total"], extra["grade"]
    assert [(r["dimension"], r["max_score"], r["score"], r["rate"]) for r in rows] == [
        ("投入指标", D("10"), D("5"), "50%"),
        ("产出指标", D("60"), D("57.58"), "95.97%"),
        ("效益指标", D("15"), D("14.22"), "94.8%"),
        ("可持续影响指标", D("15"), D("14.7"), "98%"),
    ]
    assert total == dict(max_score=D("100"), score=D("91.5"))
    assert grade == "优"
    assert sum(r["max_score"] for r in rows) == total["max_score"]
    assert sum(r["score"] for r in rows) == total["score"]


def test_shijingshan_form_is_other():
    t = find_tables(SJS_FORM)[0]
    assert t.caption == "2022年石景山区优化升级区域高精尖产业发展政策项目绩效评分汇总表"
    assert table_kind(t) == "other"


@pytest.mark.xfail(strict=True, reason="cells spanning several paragraphs (untabbed lines) are not joined yet")
def test_shijingshan_form_multi_paragraph_cells():
    t = find_tables(SJS_FORM)[0]
    assert t.rows[-1][1].endswith("推动区域高精尖产业集聚和创新发展。")
    assert t.rows[-1][2].startswith("1.完成区域“1+3+1”高精尖发展格局")


# ------------------------------------------------------------------- Municipal 表 1


def test_municipal_table_over_page_breaks():
    t = only_table(MUNICIPAL_T1)
    assert t.layout == "space"
    assert t.caption == "表 1 市属医院等优质医疗资源扩大辐射各子项目主要内容"
    assert t.header == ["序号", "子项目名称", "子项目内容"]
    assert table_kind(t) == "other"
    assert [r[0] for r in t.rows] == [str(i) for i in range(1, 11)]
    assert [len(r) for r in t.rows] == [3] * 10
    assert t.rows[2][1] == "友谊医院顺义院区开办费"
    # the row cut by the page break (and the repeated header) is glued back together
    assert "信息化建设、安防消防系统，以满足医院基本运行" in t.rows[2][2]
    assert t.rows[2][2].endswith("2024年项目总金额为18000万元。")
    assert "2024年购置办公家具、标识牌等，由于科研教学康复楼未完成竣工验收" in t.rows[8][2]
    assert t.rows[9][1] == "友谊医院顺义院区基建费用"
    assert MUNICIPAL_T1[t.end :].startswith("\n\n2. 项目绩效目标")


# ------------------------------------------------------------------- not tables

NOT_TABLES = [
    # a prose line of the Fengtai report with a stray tab inside
    "该项目的绩效目标申报表，产出成本指标为“\t项目总成本≤1500万元”。本项目实际支出1415.35万元。\n",
    # the table of contents of the municipal report
    "目 录\n\n市经济和信息化局高精尖产业发展专项资金绩效评价报告 ····\t1\n"
    "市科委、中关村管委会北京市自然科学基金绩效评价报告 ····\t5\n"
    "市医管中心市属医院优质医疗资源扩大辐射项目绩效评价报告 ···\t10\n",
    # a lone tab cell is not a table
    "附件\n\t项目名称\n\n正文。\n",
    "",
    "一段普通的文字。\n另一段文字，  中间有两个空格。\n",
]


@pytest.mark.parametrize("text", NOT_TABLES)
def test_not_tables(text):
    assert find_tables(text) == []


# ------------------------------------------------------------------- own variants

PIPE_SCORES = """附表 某某项目绩效评价指标体系及评分表
| 一级指标 | 二级指标 | 三级指标 | 分值 | 得分 |
| --- | :---: | --- | ---: | --- |
| 决策 | 项目立项 | 立项依据充分性 | 5 | 4.5 |
|  |  | 立项程序规范性 | 5 | 5 |
|  | 绩效目标 | 绩效目标合理性 | 10 | 8 |
| 过程 | 资金管理 | 资金到位率 | 30 | 30 |
| 产出 | 产出数量 | 实际完成率 | 30 | 27.5 |
| 效益 | 满意度 | 服务对象满意度 | 20 | 16 |
| 总分 |  |  | 100 | 91 |
本项目得分91分。
"""


def test_pipe_scores_with_total_row_named_zongfen():
    t = only_table(PIPE_SCORES)
    assert t.layout == "pipe"
    assert t.caption == "附表 某某项目绩效评价指标体系及评分表"
    assert table_kind(t) == "indicator_scores"
    assert len(t.rows) == 7  # separator line dropped, 总分 row kept in raw rows
    rows, total = indicator_rows(t)
    assert len(rows) == 6
    assert levels(rows[1]) == ("决策", "项目立项", "立项程序规范性", D("5"), D("5"))
    assert levels(rows[2]) == ("决策", "绩效目标", "绩效目标合理性", D("10"), D("8"))
    assert levels(rows[4]) == ("产出", "产出数量", "实际完成率", D("30"), D("27.5"))
    assert total == dict(max_score=D("100"), score=D("91"))
    assert sum(r["max_score"] for r in rows) == total["max_score"]
    assert sum(r["score"] for r in rows) == total["score"]
    assert PIPE_SCORES[t.end :].startswith("\n本项目得分91分。")


SPACE_SCORES = """绩效评价指标体系及评分情况表
一级指标  二级指标  三级指标  分值  评价得分
决策  项目立项  立项依据充分性  10  9
                立项程序规范性  10  8.5
      绩效目标  绩效目标合理性  10  7
过程  资金管理  预算执行率  20  18
产出  产出数量  实际完成率  30  27
效益  满意度  满意度  20  17.5
合计  100  87

以上为评分情况。
"""


def test_space_run_scores_with_indented_merged_cells():
    t = only_table(SPACE_SCORES)
    assert t.layout == "space"
    assert t.caption == "绩效评价指标体系及评分情况表"
    assert t.header == ["一级指标", "二级指标", "三级指标", "分值", "评价得分"]
    assert t.rows[1] == ["", "", "立项程序规范性", "10", "8.5"]
    assert t.rows[2] == ["", "绩效目标", "绩效目标合理性", "10", "7"]
    assert table_kind(t) == "indicator_scores"
    rows, total = indicator_rows(t)
    assert len(rows) == 6
    assert levels(rows[1]) == ("决策", "项目立项", "立项程序规范性", D("10"), D("8.5"))
    assert levels(rows[2]) == ("决策", "绩效目标", "绩效目标合理性", D("10"), D("7"))
    assert levels(rows[5]) == ("效益", "满意度", "满意度", D("20"), D("17.5"))
    assert total == dict(max_score=D("100"), score=D("87"))
    assert sum(r["score"] for r in rows) == total["score"]
    assert sum(r["max_score"] for r in rows) == total["max_score"]


INLINE_TAB_SCORES = (
    "一级指标\t二级指标\t三级指标\t分值\t得分\n"
    "决策\t项目立项\t立项依据充分性\t20\t18\n"
    "\t\t立项程序规范性\t30\t25.5\n"
    "效益\t满意度\t满意度\t50\t40\n"
    "总分\t\t\t100\t83.5\n"
)


def test_inline_tab_scores():
    t = only_table(INLINE_TAB_SCORES)
    assert t.layout == "space"
    assert t.caption is None
    rows, total = indicator_rows(t)
    assert [levels(r) for r in rows] == [
        ("决策", "项目立项", "立项依据充分性", D("20"), D("18")),
        ("决策", "项目立项", "立项程序规范性", D("30"), D("25.5")),
        ("效益", "满意度", "满意度", D("50"), D("40")),
    ]
    assert total == dict(max_score=D("100"), score=D("83.5"))


TAB_SUMMARY_ZONGFEN = """各一级指标得分情况
\t一级指标
\t分值
\t得分

\t决策
\t20
\t18.5

\t过程
\t20
\t17

\t产出
\t40
\t36.5

\t效益
\t20
\t16

\t总分
\t100
\t88

\t评价等级
\t良
二、存在的问题
"""


def test_tab_summary_with_zongfen_and_grade_then_a_heading():
    t = only_table(TAB_SUMMARY_ZONGFEN)
    assert t.caption == "各一级指标得分情况"
    assert table_kind(t) == "dimension_summary"
    rows, extra = dimension_rows(t)
    total, grade = extra["total"], extra["grade"]
    assert [(r["dimension"], r["max_score"], r["score"], r["rate"]) for r in rows] == [
        ("决策", D("20"), D("18.5"), None),
        ("过程", D("20"), D("17"), None),
        ("产出", D("40"), D("36.5"), None),
        ("效益", D("20"), D("16"), None),
    ]
    assert total == dict(max_score=D("100"), score=D("88"))
    assert grade == "良"
    assert TAB_SUMMARY_ZONGFEN[t.end :] == "\n二、存在的问题\n"


PIPE_TARGETS_WITH_ACTUAL = """表3 年度绩效指标完成情况表
| 一级指标 | 二级指标 | 三级指标 | 计量单位 | 年度指标值 | 实际完成值 |
|---|---|---|---|---|---|
| 产出指标 | 数量指标 | 培训人次 | 人次 | ≥500 | 612 |
|  |  | 覆盖街乡数 | 个 | 30 | 30 |
|  | 时效指标 | 完成时间 | — | 2024年12月底前 | 2024年11月 |
| 满意度指标 | 服务对象满意度 | 参训人员满意度 | % | ≥90 | 95.2 |
"""


def test_pipe_targets_with_unit_and_actual():
    t = only_table(PIPE_TARGETS_WITH_ACTUAL)
    assert table_kind(t) == "targets"
    rows = target_rows(t)
    assert rows[1] == dict(
        row_no=2, level1="产出指标", level2="数量指标", level3="覆盖街乡数",
        unit="个", target="30", actual="30",
    )
    assert (rows[2]["level1"], rows[2]["level2"], rows[2]["unit"], rows[2]["actual"]) == (
        "产出指标", "时效指标", "—", "2024年11月",
    )
    assert rows[3] == dict(
        row_no=4, level1="满意度指标", level2="服务对象满意度", level3="参训人员满意度",
        unit="%", target="≥90", actual="95.2",
    )


def test_caption_stops_at_a_sentence_and_above_a_table_number():
    text = "具体如下:\n(2)项目绩效指标\n表5 某项目绩效目标表\n\t一级指标\n\t指标值\n\n\t产出指标\n\t100%\n"
    t = only_table(text)
    assert t.caption == "表5 某项目绩效目标表"
    assert table_kind(t) == "targets"


def test_caption_only_kind_targets():
    text = "表2 某项目绩效目标表\n\t指标\n\t目标\n\n\t户数\n\t267户\n"
    t = only_table(text)
    assert table_kind(t) == "targets"


def test_two_tables_separated_by_two_blank_lines_are_two_tables():
    text = "\t一级指标\n\t分值\n\t得分\n\n\t决策\n\t10\n\t9\n\n\n\t一级指标\n\t指标值\n\n\t产出指标\n\t100%\n"
    # the second block after two blank lines is not the same header: a new table
    a, b = find_tables(text)
    assert a.header == ["一级指标", "分值", "得分"] and b.header == ["一级指标", "指标值"]


def test_tab_table_repeated_header_after_page_break_continues():
    head = "\t一级指标\n\t三级指标\n\t分值\n\t得分\n"
    text = head + "\n\t决策\n\t立项依据\n\t10\n\t9\n\n\n\n" + head + "\n\t\n\t预算执行率\n\t90\n\t80\n\n\t合计\n\t100\n\t89\n"
    t = only_table(text)
    rows, total = indicator_rows(t)
    assert [levels(r) for r in rows] == [
        ("决策", None, "立项依据", D("10"), D("9")),
        ("决策", None, "预算执行率", D("90"), D("80")),
    ]
    assert total == dict(max_score=D("100"), score=D("89"))


# ------------------------------------------------------------------- to_decimal


@pytest.mark.parametrize(
    "cell,expected",
    [
        ("1.44", D("1.44")),
        ("7.40", D("7.40")),
        ("4.50", D("4.50")),
        (" 3 ", D("3")),
        ("0", D("0")),
        ("4.50分", D("4.50")),
        ("1,234.5", D("1234.5")),
        ("—", None),
        ("-", None),
        ("", None),
        ("   ", None),
        (None, None),
        ("50%", None),
        ("优", None),
        ("1.2.3", None),
        ("NaN", None),
        ("Infinity", None),
    ],
)
def test_to_decimal(cell, expected):
    got = to_decimal(cell)
    assert got == expected
    if expected is not None:
        assert str(got) == str(expected)  # keeps the printed precision ("7.40")


# ------------------------------------------------------------------- robustness


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="\t\n |-:一级指标合计总分0123456789.表得分值", max_size=200))
def test_find_tables_never_raises_and_offsets_are_sane(text):
    for t in find_tables(text):
        assert 0 <= t.start < t.end <= len(text)
        assert t.header and t.rows
        table_kind(t)
        indicator_rows(t)
        dimension_rows(t)
        target_rows(t)
