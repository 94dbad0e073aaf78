from aicity.viz import fonts


def test_bundled_font_exists_and_matplotlib_uses_it():
    assert fonts.sans_font_path().exists()
    family = fonts.setup_matplotlib()
    import matplotlib.pyplot as plt

    assert family == "Noto Sans SC"
    assert plt.rcParams["font.sans-serif"][0] == family
    assert plt.rcParams["svg.fonttype"] == "path"


def test_font_face_css_points_at_the_file_by_uri():
    css = fonts.font_face_css("X")
    assert 'font-family: "X"' in css
    assert fonts.sans_font_path().as_uri() in css


def test_fontconfig_file_adds_the_font_folder(tmp_path):
    conf = fonts.fontconfig_file(tmp_path / "fc")
    text = conf.read_text(encoding="utf-8")
    assert str(fonts.sans_font_path().parent) in text
    assert "<include" in text
