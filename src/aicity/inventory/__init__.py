"""Enterprise inventory and industry maps (产业图谱): taxonomy, classifiers, derived indicators, synthetic
registry. Pure library code: the store is reached only through ``aicity.store.inventory`` and the
orchestration lives in ``aicity.workflows`` (classification, models, inventory, industry_map).
"""

from aicity.inventory.taxonomy import LAYERS, Segment, Taxonomy, load_taxonomy

__all__ = ["LAYERS", "Segment", "Taxonomy", "load_taxonomy"]
