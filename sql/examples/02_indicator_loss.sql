-- 02 失分最多的评价指标
-- 问题：在所有地区合计（district = '全部'）中，哪些三级指标的失分率最高、丢分最多？
-- Question: over all districts (district = '全部'), which indicators lose the
-- largest share of their points, and how many points is that? Source: mart_indicator_loss.
select
    level1,
    level2,
    level3,
    n_reports,
    max_score_sum,
    score_sum,
    max_score_sum - score_sum as lost_points,
    loss_rate_pct
from mart_indicator_loss
where district = '全部'
order by loss_rate_pct desc nulls last, lost_points desc, level1, level2, level3
limit 20;
