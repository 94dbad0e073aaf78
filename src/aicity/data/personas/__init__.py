"""Site-selection personas (``aicity site --persona NAME``): weight presets over the default framework's
indicators, each weight with its reasoning, plus hard filters. See docs/questions.md."""
