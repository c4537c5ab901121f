from datetime import date

import pytest

from mapapp.articles import ArticleError, article_from_text, read_metadata, seed_articles, text_from_bytes
from conftest import ROOT


def test_seed_articles_carry_their_metadata():
    articles = seed_articles(ROOT / "seeds")
    assert len(articles) == 5
    by_id = {a.id: a for a in articles}
    assert by_id["004_6a4f189e7c262899"].outlet == "Daily Mail"
    assert by_id["004_6a4f189e7c262899"].published == date(2022, 9, 10)
    assert all(a.title for a in articles)
    assert set(read_metadata(ROOT / "seeds")) == {p.name for p in (ROOT / "seeds").glob("*.txt")}


def test_seeds_are_the_shared_texts_unchanged():
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    for path in shared.glob("*.txt"):
        assert (ROOT / "seeds" / path.name).read_bytes() == path.read_bytes()


@pytest.mark.parametrize("data, message", [(b"", "empty"), (b"   \n\t", "empty"), (b"\x00\x01\x02abc" * 100, "binary")])
def test_unreadable_bytes_give_a_clear_error(data, message):
    with pytest.raises(ArticleError, match=message):
        text_from_bytes(data)


def test_encodings_are_detected():
    text = "Збройні сили України звільнили Ізюм і Куп’янськ, повідомив губернатор Харківської області."
    decoded, encoding = text_from_bytes(text.encode("cp1251", "replace"))
    assert "Ізюм" in decoded and encoding.replace("_", "").lower() in ("cp1251", "windows1251")
    assert text_from_bytes(b"\xef\xbb\xbfKyiv")[0] == "Kyiv"


def test_html_is_text_without_scripts():
    text, _ = text_from_bytes(b"<!doctype html><p>Hello <b>Kharkiv</b></p><script>alert(1)</script>")
    assert text == "Hello Kharkiv"


def test_pasted_text_gets_an_id_from_its_content_and_a_title():
    a = article_from_text("Troops entered Izium. More later.", published="2022-09-10")
    b = article_from_text("Troops  entered Izium.\nMore later.", published="2022-09-10")
    assert a.id == b.id and a.title == "Troops entered Izium."
    with pytest.raises(ArticleError, match="not a date"):
        article_from_text("x", published="2022-09-31")
