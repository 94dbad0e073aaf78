"""The bundled CJK font (pip package pylopdf-fonts-zh-cn), shared by matplotlib, WeasyPrint and browsers.

No system font is assumed: the report must render Chinese on a bare machine.
"""

from __future__ import annotations

import functools
import importlib.resources as resources
from pathlib import Path

FONT_FAMILY = "Noto Sans SC"
# For the HTML report opened in a reader's own browser: their CJK fonts first, ours as the last resort.
HTML_FONT_STACK = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif'


def sans_font_path() -> Path:
    """Path of the bundled Noto Sans SC (OTF) file."""
    return Path(str(resources.files("pylopdf_fonts_zh_cn") / "NotoSansSC-Regular.otf"))


def serif_font_path() -> Path:
    """Path of the bundled Noto Serif SC (OTF) file."""
    return Path(str(resources.files("pylopdf_fonts_zh_cn") / "NotoSerifSC-Regular.otf"))


@functools.cache
def setup_matplotlib() -> str:
    """Register the CJK font with matplotlib (Agg backend) once; return the family name in use."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    path = str(sans_font_path())
    font_manager.fontManager.addfont(path)
    family = font_manager.FontProperties(fname=path).get_name()
    plt.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [family, "DejaVu Sans"],
            # The ASCII hyphen-minus: the Unicode minus glyph is missing from many CJK fonts.
            "axes.unicode_minus": False,
            # Glyph outlines in SVG, so the SVG needs no font wherever it is shown.
            "svg.fonttype": "path",
        }
    )
    return family


def font_face_css(family: str = "ReportCJK") -> str:
    """An @font-face rule pointing at the bundled font by file URI (for WeasyPrint, which embeds it)."""
    return (
        f'@font-face {{ font-family: "{family}"; '
        f'src: url("{sans_font_path().as_uri()}"); font-weight: normal; font-style: normal; }}\n'
        f'@font-face {{ font-family: "{family}"; '
        f'src: url("{sans_font_path().as_uri()}"); font-weight: bold; font-style: normal; }}'
    )


def fontconfig_file(cache_dir: Path) -> Path:
    """Write a fonts.conf that adds the bundled font to the system's, for Chromium (FONTCONFIG_FILE)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    conf = cache_dir / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{sans_font_path().parent}</dir>\n"
        f"  <cachedir>{cache_dir / 'cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return conf
