"""Charts and maps: matplotlib for static (PDF/PNG/SVG) figures, Plotly for interactive ones.

``plot_*`` functions return a figure; ``save_*`` / ``*_to_svg`` write or serialise it. Tests assert on the
data behind a figure, not on pixels.
"""
