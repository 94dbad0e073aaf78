"""The report's sentences in Chinese and English, as templates with {placeholders}.

Beside the labels of i18n.TEXT: those are words, these are sentences the context fills with figures. Each key
holds (zh, en); `say` picks one and fills it, so the context code only computes values and picks keys.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # joiners of a list inside a sentence
    "list_sep": ("、", ", "),
    "clause_sep": ("；", "; "),
    "comma_sep": ("，", ", "),
    "no_method": ("—", "–"),
    "no_alternatives": ("无", "none"),
    # a designation's value (unit "flag")
    "flag_yes": ("是", "yes"),
    "flag_no": ("否", "no"),
    # preface
    "preface_scope": (
        "本报告以{year}年为参考年份，对{n}个城市的人工智能产业发展进行评价，从{dims}{n_dims}个维度、{n_ind}项指标展开。",
        "This report evaluates the AI industry of {n} cities with reference year {year}, on {n_dims} dimensions "
        "({dims}) and {n_ind} indicators.",
    ),
    "preface_traceable": (
        "特点一：数据可溯源，只对可核实数据计分。{n_ranked}个参与排名的城市、{n_total}项计分指标共"
        "{n_scored}个计分单元中，{n_real}个为附来源网址、已核实、在时间窗口内的数据（其中{n_stale}个早于参考年份，已标记），"
        "{n_imputed}个（{share:.1%}）因缺少可核实数据而插补；无来源、未核实、估计或样本推算的数值只列于附录，不计分。"
        "数据共引用{n_sources}个来源；按来源类型分级（官方网站、官方转载、新闻媒体、聚合平台、内容农场），"
        "{n_weak}个计分单元的来源页面为内容农场转载，已逐项标记，宜回溯原始发布方。",
        "Feature one: traceable data, and only real data scored. Of the {n_scored} scored cells "
        "({n_ranked} ranked cities x {n_total} scored indicators), {n_real} are sourced, verified "
        "values within the window ({n_stale} of them older than the reference year, flagged) and "
        "{n_imputed} ({share:.1%}) are imputed for lack of real data; values without a source, "
        "unverified, estimated or counted over a sample are listed in the appendix and never scored. "
        "The data cite {n_sources} sources, graded by outlet type (official site, official repost, news, "
        "aggregator, content farm): {n_weak} scored cells rest on a copy on a content farm, flagged cell by "
        "cell, to be traced to the original publisher.",
    ),
    "preface_left_out": (
        "{n}项指标可核实覆盖率不足，未纳入本次评价：{names}。",
        " {n} indicators fall below the coverage floor and are left out: {names}.",
    ),
    "preface_unranked": (
        "{n}个城市数据不足，未参与排名。",
        " {n} cities have insufficient data and are not ranked.",
    ),
    "preface_coverage": (
        "每个单元的状态见附录“数据覆盖”。",
        " The appendix's coverage table shows the status of every cell.",
    ),
    "preface_method": (
        "特点二：方法透明可复现。指标定义、方向、权重、标准化、加权与汇总方法全部公开，"
        "计算配方与数据哈希（{hash}）随运行编号保存，任何一次结果都可重算。",
        "Feature two: a transparent, reproducible method. Definitions, directions, weights, normalisation, "
        "weighting and aggregation are published; the recipe and the data hash ({hash}) "
        "are stored with the run id, so any result can be recomputed.",
    ),
    "preface_uncertainty": (
        "特点三：给出不确定性而非单一名次。除默认方案外，并列给出{n}种替代方案的排名",
        "Feature three: uncertainty rather than a single rank. {n} alternative recipes are shown beside the default",
    ),
    "preface_intervals": ("，并报告每个城市的排名区间。", ", with a rank interval for every city."),
    "full_stop": ("。", "."),
    # methodology
    "method_selection": (
        "数据选取：每项指标取参考年份{year}年及以前、时效不超过{max_age}年的最新值；"
        "只使用与指标口径（单位）一致的观测，规划目标不作为实际值；过期、估计、未核实与插补的单元均被标记。",
        "Data selection: for every indicator, the latest value at or before {year} and at "
        "most {max_age} years old; only observations in the indicator's scope (unit) are used, plan "
        "targets are never used as actuals; stale, estimated, unverified and imputed cells are flagged.",
    ),
    "method_steps": (
        "缺失值插补：{impute}；异常值处理：{treat}；标准化：{normalise}（{lower}–{upper}）；加权：{weight}；汇总：{aggregate}。",
        "Imputation: {impute}; outlier treatment: {treat}; normalisation: {normalise} ({lower}–{upper}); "
        "weighting: {weight}; aggregation: {aggregate}.",
    ),
    "method_imputed": (
        "{n_scored}个计分单元中共{n_imputed}个（{share:.1%}）为插补值。替代方案：{alternatives}。",
        "{n_imputed} of the {n_scored} scored cells ({share:.1%}) are imputed. Alternatives: {alternatives}.",
    ),
    "method_empty": (
        "以下{n}项指标在参考年份及时效范围内没有任何观测值，本次不参与计分（权重在同一维度内重新分配）：{names}。",
        "{n} indicators have no observation within the age limit of the reference year and do "
        "not score in this run (their weight goes to the other indicators of their dimension): {names}.",
    ),
    "uncertainty_runs": (
        "不确定性分析：{n}次蒙特卡洛重复",
        "Uncertainty analysis: {n} Monte Carlo replications",
    ),
    "uncertainty_head": ("不确定性分析", "Uncertainty analysis"),
    "uncertainty_sobol": (
        "，同时扰动{n}项假设（{names}），并用Sobol方法估计各假设对排名变动的一阶与总效应",
        ", perturbing {n} assumptions ({names}), with first-order and "
        "total Sobol indices of each assumption's effect on rank shifts",
    ),
    "uncertainty_tail": (
        "；排名区间为各城市排名的5%–95%分位数。",
        "; rank intervals are the 5th-95th percentiles of each city's rank.",
    ),
    "framework_sources": ("{n} 个来源（见附录）", "{n} sources (appendix)"),
    # rankings
    "top_entry": ("{name}（{score}分）", "{name} ({score})"),
    "top_three": (
        "前三名依次为{entries}；最高分与最低分相差{spread:.1f}分，中位得分{median:.1f}分。",
        "The top three are {entries}; the highest and lowest scores are {spread:.1f} points apart and the "
        "median is {median:.1f}.",
    ),
    "alt_moved": (
        "{scheme}最大变动{most}位、平均{mean:.1f}位",
        "{scheme} at most {most} places, {mean:.1f} on average",
    ),
    "alt_changes": (
        "替代方案下排名变化：{entries}。",
        "Rank changes under the alternatives: {entries}.",
    ),
    "dimension_lead": (
        "{name}得分最高的是{city}（{best:.1f}分），中位得分{median:.1f}分，标准差{std:.1f}分。",
        "{city} leads {name} ({best:.1f}); the median is {median:.1f} and the standard deviation {std:.1f}.",
    ),
    "rank_single": ("第{low}位", "rank {low}"),
    "rank_between": ("第{low}–{high}位之间", "between {low} and {high}"),
    # comparison with published rankings
    "their_tier": ("第{n}梯队", "tier {n}"),
    "their_rank": ("第{n}位", "{n}"),
    "disagreement": (
        "{city}：本报告第{ours}位，{ranking}（{year}）{theirs}；在共同城市中的相对位次相差{diff:.0f}位。{reason}",
        "{city}: ranked {ours} here and {theirs} by {ranking} ({year}); "
        "{diff:.0f} places apart among the cities both rank. {reason}",
    ),
    "reason_dimension": (
        "本报告中其{dim}得分{score:.1f}，{side}于中位城市{gap:.1f}分",
        "Here its {dim} scores {score:.1f}, {gap:.1f} points {side} the median city",
    ),
    "reason_below": ("低", "below"),
    "reason_above": ("高", "above"),
    "reason_fact": ("（{name}第{rank}/{n}位）", " ({name}: rank {rank} of {n})"),
    # appendix
    "flag_count": ("{flag}{n}个", "{flag} {n}"),
    "gaps_summary": (
        "{n_cells}个单元中{n_flagged}个带标记：{counts}。下表列出其中{n_gaps}个不是干净可核实值的单元"
        "（缺失、插补、估计、未核实、无来源或样本推算）；仅标记过期或来源为内容农场的可核实单元见“数据覆盖”与Excel工作簿。",
        "{n_flagged} of {n_cells} cells carry flags: {counts}. The table lists the {n_gaps} that are not a clean "
        "real value (missing, imputed, estimated, unverified, without a source or from a sample); real cells "
        "flagged only stale or content-farm sourced are in the coverage table and the workbook.",
    ),
    # city chapters
    "position": ("{name}：{shown}，第{rank}/{n}位", "{name}: {shown}, rank {rank} of {n}"),
    "position_flags": ("（{flags}）", " ({flags})"),
    "city_coverage": (
        "{n_ind}项指标中{n_obs}项有观测值（{share:.0%}），{n_imputed}项为插补，{n_stale}项过期",
        "{n_obs} of {n_ind} indicators observed ({share:.0%}), {n_imputed} imputed, {n_stale} stale",
    ),
    "firms_registry": (
        "企业名录（登记口径）中已分层的{n}家企业。",
        "The {n} layered firms of a registry-kind list.",
    ),
    "firms_sample": (
        "示意：样本清单中已分层的{n}家企业（非完整名录），仅展示其分布，不作城市间比较。",
        "Illustrative: {n} layered firms of a sample list (not a full registry); they show "
        "the listed firms only and are not compared across cities.",
    ),
    "projects_title": ("项目盘点", "Projects"),
    # parks
    "parks_run": (
        "同一指标体系用于{n}个有数据的园区（运行编号 {run}）。",
        "The same framework evaluates the {n} parks with data (run {run}).",
    ),
    "parks_facts": (
        "{lead}共{n}个园区，其中{n_firms}个公布了入驻企业数。",
        "{lead} {n} parks, {n_firms} with a published firm count.",
    ),
}

# table headers of a city's projects block
PROJECT_HEADERS = {
    "summary": (
        ["分组", "项目数", "计划额（亿元）", "签约额（亿元）", "实际投资（亿元）"],
        ["Group", "Projects", "Planned (亿元)", "Signed (亿元)", "Actual (亿元)"],
    ),
    "list": (
        ["项目", "类型", "阶段", "金额", "年份", "来源"],
        ["Project", "Kind", "Stage", "Amount", "Year", "Source"],
    ),
}


def pick(pair: tuple, lang: str):  # type: ignore[no-untyped-def]
    """The Chinese or the English member of a (zh, en) pair; any language but zh reads English."""
    return pair[0 if lang == "zh" else 1]


def say(key: str, lang: str, **values: object) -> str:
    """The sentence `key` in `lang`, its placeholders filled from `values`."""
    try:
        template = pick(MESSAGES[key], lang)
    except KeyError:
        raise KeyError(
            f"report message: expected one of the keys of MESSAGES, got {key!r}"
        ) from None
    return template.format(**values) if values else template


def join(items, lang: str, sep: str = "list_sep") -> str:  # type: ignore[no-untyped-def]
    """Items joined the way a list reads in `lang` (、 in Chinese, a comma in English)."""
    return say(sep, lang).join(items)
