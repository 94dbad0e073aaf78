"""The bundled frameworks, recipes and uncertainty settings (YAML files read with importlib.resources),
and the names used when nobody gives one. Kept free of imports so the command line can name them cheaply."""

DEFAULT_FRAMEWORK = "china_ai_20"
DEFAULT_RECIPE = "default"
