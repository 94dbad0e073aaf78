"""Interface strings in Chinese and English, and how a request picks its language.

Data carries its own ``name_zh`` / ``name_en`` columns; this table only holds the words of the interface.
"""

from __future__ import annotations

from starlette.requests import Request

from aicity.languages import LANGUAGES, Language

STRINGS: dict[str, tuple[str, str]] = {
    # navigation
    "nav.overview": ("总览", "Overview"),
    "nav.compare": ("城市对比", "Compare"),
    "nav.enterprises": ("企业检索", "Enterprises"),
    "nav.parks": ("园区", "Parks"),
    "nav.methodology": ("方法", "Methodology"),
    "nav.sources": ("数据来源与缺口", "Sources and gaps"),
    "nav.downloads": ("下载", "Downloads"),
    "nav.api": ("API", "API"),
    "lang.switch": ("English", "中文"),
    # overview
    "overview.title": ("城市人工智能产业排名", "AI industry ranking of cities"),
    "overview.lead": (
        "移动各维度权重或更换方法，排名即时按与命令行相同的引擎重算。",
        "Move a dimension's weight or change a method: the ranking is recomputed live by the same engine as the CLI.",
    ),
    "overview.weights": ("维度权重", "Dimension weights"),
    "overview.methods": ("方法", "Methods"),
    "overview.normalisation": ("标准化", "Normalisation"),
    "overview.weighting": ("赋权方法", "Weighting method"),
    "overview.aggregation": ("聚合方法", "Aggregation"),
    "overview.reset": ("恢复默认", "Reset"),
    "overview.share": ("分享当前设置的链接", "Link to these settings"),
    "overview.chart": ("指数得分", "Index score"),
    "overview.map": ("城市分布（示意图）", "Where the cities are (illustrative map)"),
    "overview.no_run": (
        "存储中尚无评估结果：请先运行 `aicity demo` 或 `aicity evaluate`。",
        "The store holds no evaluation yet: run `aicity demo` or `aicity evaluate` first.",
    ),
    "overview.manual_note": (
        "手动权重：赋权方法被滑块设定取代。",
        "Manual weights: the sliders replace the weighting method.",
    ),
    # tables
    "col.rank": ("排名", "Rank"),
    "col.city": ("城市", "City"),
    "col.province": ("省份", "Province"),
    "col.score": ("得分", "Score"),
    "col.interval": ("排名区间", "Rank interval"),
    "col.interval_run": ("90%排名区间（基准评估）", "90% rank interval (stored run)"),
    "col.change": ("变化", "Change"),
    "col.park": ("园区", "Park"),
    "col.district": ("区县", "District"),
    "col.focus": ("主导方向", "Focus"),
    "col.opened": ("设立年份", "Opened"),
    "col.firms": ("企业数", "Firms"),
    "col.name": ("名称", "Name"),
    "col.layer": ("产业层", "Layer"),
    "col.segment": ("细分领域", "Segment"),
    "col.founded": ("成立年份", "Founded"),
    "col.source": ("来源", "Source"),
    "col.indicator": ("指标", "Indicator"),
    "col.value": ("数值", "Value"),
    "col.unit": ("单位", "Unit"),
    "col.year": ("年份", "Year"),
    "col.kind": ("类型", "Kind"),
    "col.verified": ("已核实", "Verified"),
    "col.dimension": ("维度", "Dimension"),
    "col.weight": ("权重", "Weight"),
    "col.reliability": ("可靠性", "Reliability"),
    "col.publisher": ("发布方", "Publisher"),
    "col.missing": ("缺失", "Missing"),
    "col.coverage": ("覆盖率", "Coverage"),
    "col.synthetic": ("合成", "Synthetic"),
    # city page
    "city.profile": ("概况", "Profile"),
    "city.radar": ("维度雷达图", "Dimensions radar"),
    "city.strengths": ("优势", "Strengths"),
    "city.weaknesses": ("短板", "Weaknesses"),
    "city.parks": ("人工智能园区", "AI parks"),
    "city.industry_map": ("产业图谱", "Industry map"),
    "city.numbers": ("数据及其来源", "Numbers and their sources"),
    "city.rank_of": ("排名", "Rank"),
    "city.no_result": ("该城市不在当前评估结果中。", "This city is not in the current evaluation."),
    # compare
    "compare.title": ("城市对比", "Compare cities"),
    "compare.pick": ("选择 2 至 4 个城市", "Pick 2 to 4 cities"),
    "compare.go": ("对比", "Compare"),
    # enterprises
    "ent.title": ("企业检索", "Enterprise search"),
    "ent.search": ("检索", "Search"),
    "ent.any": ("全部", "Any"),
    "ent.results": ("条结果", "results"),
    "ent.prev": ("上一页", "Previous"),
    "ent.next": ("下一页", "Next"),
    "ent.page": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "ent.none": ("没有符合条件的企业。", "No enterprise matches."),
    # parks
    "parks.title": ("人工智能园区", "AI parks"),
    "park.enterprises": ("园区企业", "Enterprises in the park"),
    "park.city": ("所在城市", "City"),
    # methodology / sources / downloads
    "method.title": ("方法说明", "Methodology"),
    "method.framework": ("指标体系", "Framework"),
    "method.recipe": ("计算步骤", "Steps"),
    "method.runs": ("评估记录", "Evaluation runs"),
    "sources.title": ("数据来源与缺口", "Data sources and gaps"),
    "sources.gaps": ("数据缺口", "Data gaps"),
    "sources.list": ("来源", "Sources"),
    "sources.coverage": ("数据覆盖（本次评估）", "Data coverage (this run)"),
    "sources.coverage_intro": (
        "每项指标（行）在每个城市（列）的数据状态：计分只用可核实数据，插补单元与未计分数值均已标出。",
        "The status of every indicator (rows) in every city (columns): only real data are scored; imputed cells and unscored values are marked.",
    ),
    # index methods: a name and what each does to the ranking (the explorer's selectors)
    "method.minmax": ("最小-最大标准化", "Min-max"),
    "method.minmax.note": (
        "把每项指标线性缩放到0–100：最好的城市100、最差的0，保留差距的相对大小。",
        "Rescales each indicator to 0-100 (best 100, worst 0); keeps relative gaps.",
    ),
    "method.zscore": ("Z分数标准化", "Z-score"),
    "method.zscore.note": (
        "按均值和标准差标准化：极端值的影响大于最小-最大法。",
        "Centres on the mean in standard deviations: extremes weigh more than with min-max.",
    ),
    "method.dist2max": ("与最优值的距离", "Distance to the best"),
    "method.dist2max.note": (
        "以与最优城市的差距计分，最优城市得满分。",
        "Scores the gap to the best city; the best scores full marks.",
    ),
    "method.fracmax": ("占最大值比例", "Share of the maximum"),
    "method.fracmax.note": (
        "各城市值除以最大值：保留比例关系，小值之间差距被压缩。",
        "Each value over the maximum: keeps ratios, compresses gaps among small values.",
    ),
    "method.percentile_rank": ("百分位排名", "Percentile rank"),
    "method.percentile_rank.note": (
        "只看名次不看差距：大幅领先与小幅领先得分相同。",
        "Only the order counts, not the gap: a wide lead scores like a narrow one.",
    ),
    "method.rank": ("名次", "Rank"),
    "method.rank.note": (
        "用名次代替数值：不受极端值影响，也不反映差距大小。",
        "Ranks instead of values: immune to outliers, blind to gap sizes.",
    ),
    "method.borda": ("Borda计分", "Borda count"),
    "method.borda.note": (
        "每项指标按名次给分再相加：一种投票式的汇总。",
        "Points by rank on each indicator, summed: a vote-like count.",
    ),
    "method.nominal": ("框架权重", "Framework weights"),
    "method.nominal.note": (
        "使用指标体系中写明的权重（默认各维度等权）。",
        "The weights written in the framework (equal dimensions by default).",
    ),
    "method.equal": ("等权", "Equal weights"),
    "method.equal.note": (
        "每个维度、每项指标权重相同。",
        "Every dimension and indicator weighs the same.",
    ),
    "method.entropy": ("熵权法", "Entropy weights"),
    "method.entropy.note": (
        "城市间差异越大的指标权重越高：由数据决定权重。",
        "Indicators that differ more across cities weigh more: weights from the data.",
    ),
    "method.critic": ("CRITIC法", "CRITIC"),
    "method.critic.note": (
        "兼顾差异大小与指标间相关：与其他指标重复的信息权重降低。",
        "Weighs spread and penalises indicators that repeat others' information.",
    ),
    "method.pca": ("主成分权重", "PCA weights"),
    "method.pca.note": (
        "按第一主成分的载荷定权：突出共同变化最多的指标。",
        "Weights from the first principal component: favours what moves together.",
    ),
    "method.arithmetic_mean": ("算术平均", "Arithmetic mean"),
    "method.arithmetic_mean.note": (
        "加权平均：一项的短板可由另一项的长处完全弥补。",
        "Weighted average: a weak spot is fully offset by a strength.",
    ),
    "method.geometric_mean": ("几何平均", "Geometric mean"),
    "method.geometric_mean.note": (
        "短板难以被长处弥补：均衡发展的城市得分更高。",
        "Weak spots are hard to offset: balanced cities score higher.",
    ),
    "method.harmonic_mean": ("调和平均", "Harmonic mean"),
    "method.harmonic_mean.note": (
        "比几何平均更惩罚短板。",
        "Penalises weak spots even more than the geometric mean.",
    ),
    "method.copeland": ("Copeland两两比较", "Copeland"),
    "method.copeland.note": (
        "两两比较城市，胜多负少者靠前：只看名次，不看分数差距。",
        "Pairwise contests between cities: only wins count, not score gaps.",
    ),
    "method.topsis": ("TOPSIS", "TOPSIS"),
    "method.topsis.note": (
        "按与理想解、负理想解的相对距离排序。",
        "Ranks by relative distance to the ideal and anti-ideal city.",
    ),
    "col.evidence": ("可核实数据", "Real data"),
    "targets.title": ("补链招商方向", "Segments to attract (补链招商)"),
    "targets.loading": ("正在读取……", "Loading ..."),
    "targets.segment": ("细分环节", "Segment"),
    "targets.status": ("状态", "Status"),
    "targets.local": ("本地企业数", "Local firms"),
    "targets.candidates": ("候选企业（外地）", "Candidate firms (elsewhere)"),
    "downloads.template": ("自有数据模板", "Template for your own data"),
    "downloads.template_note": (
        "各表表头与导入一致，指标表按当前指标体系预填，另有权重表（aicity template）。",
        "Headers as ingest reads them, the framework's indicators pre-filled, a weights sheet (aicity template).",
    ),
    "yearly.title": ("与上一评价年份相比", "Against the previous evaluation year"),
    "yearly.note": (
        "{a}年与{b}年两次评价的排名变化；“超出区间”表示两年的90%排名区间不重叠，变化大于不确定性。",
        "Rank change from the {a} to the {b} evaluation; 'beyond intervals' means the two years' 90% rank intervals do not overlap, so the move is larger than the uncertainty.",
    ),
    "yearly.beyond": ("超出区间", "Beyond intervals"),
    "col.how_sure": ("把握程度", "How sure"),
    "sure.exact": ("稳定在第{low}位", "rank {low} in every case"),
    "sure.between": ("第{low}–{high}位之间", "between {low} and {high}"),
    "ranking.caption": (
        "运行 {run}（{date}），参考年份{year}年，计分数据年份{years}；可核实数据 = 附来源网址、已核实、在时间窗口内的数据项数 / 计分指标数。",
        "Run {run} ({date}), reference year {year}, scored data from {years}; real data = scored indicators with a sourced, verified value in the window / scored indicators.",
    ),
    "col.outlet": ("来源类型", "Outlet type"),
    "outlet.official_site": ("官方网站", "official site"),
    "outlet.official_repost": ("官方转载", "official repost"),
    "outlet.news": ("新闻媒体", "news outlet"),
    "outlet.aggregator": ("聚合平台", "aggregator"),
    "outlet.content_farm": ("内容农场", "content farm"),
    "outlet.unknown": ("未知来源", "unknown outlet"),
    "col.evidence_note": (
        "计分指标中附来源网址、已核实、在时间窗口内的数据项数 / 计分指标数",
        "scored indicators with a sourced, verified value in the window / scored indicators",
    ),
    "city.claims": ("判断及其依据", "Claims and their basis"),
    "city.basis": ("依据", "Basis"),
    "city.basis.cells": ("项可核实指标数据", "real indicator cells"),
    "city.basis.registry": ("家名录企业", "registry firms"),
    "city.basis.uncertainty": ("个城市的90%排名区间", "cities' 90% rank intervals"),
    "city.drivers": ("对排名影响最大的事实", "Facts that move its rank most"),
    "city.drivers_note": (
        "把该项数值换成中位城市的数值、其余不变，按本次运行的方法重算后的排名。",
        "Its rank when this one value is set to the median city's, everything else unchanged, rebuilt with the run's own method.",
    ),
    "city.at_median": ("取中位数时排名", "Rank at the median value"),
    "city.median": ("中位数", "Median"),
    "city.insufficient": ("数据不足，未参与排名", "Insufficient data: not ranked"),
    "downloads.title": ("下载", "Downloads"),
    "downloads.csv": ("任意表格的 CSV", "CSV of any table"),
    "downloads.excel": ("Excel 工作簿", "Excel workbook"),
    "downloads.report": ("报告 PDF", "Report PDF"),
    "downloads.no_report": (
        "尚未生成报告：运行 `aicity report` 后此处可下载。",
        "No report built yet: run `aicity report` and it appears here.",
    ),
    # misc
    "error.title": ("出错了", "Something went wrong"),
    "error.back": ("返回总览", "Back to the overview"),
    "footer.offline": ("本地运行，数据不出本机。", "Runs locally; no data leaves this machine."),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
}


def translate(key: str, lang: Language) -> str:
    pair = STRINGS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def pick_language(request: Request, default: Language) -> Language:
    """``?lang=`` wins, then the ``lang`` cookie, then the default; anything else is ignored."""
    for candidate in (request.query_params.get("lang"), request.cookies.get("lang")):
        if candidate in LANGUAGES:
            return candidate  # type: ignore[return-value]
    return default


def other_language(lang: Language) -> Language:
    return "en" if lang == "zh" else "zh"
