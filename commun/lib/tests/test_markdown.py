"""One converter per thread, reset between texts: nothing one text defines reaches the next."""

import threading

from commun.lib import markdown


def test_an_abbreviation_defined_in_one_text_does_not_reach_the_next():
    first = markdown.render("*[SCIC]: Société coopérative d'intérêt collectif\n\nUne SCIC.")
    second = markdown.render("Une SCIC.")

    assert "<abbr" in first
    assert second == "<p>Une SCIC.</p>"


def test_a_footnote_of_one_text_does_not_reach_the_next():
    markdown.render("Voir la note[^1].\n\n[^1]: Une note.")

    assert "Une note" not in markdown.render("Sans note.")


def test_threads_convert_side_by_side():
    results = {}

    def convert(n):
        results[n] = [markdown.render(f"**{n}** et *{i}*") for i in range(50)]

    threads = [threading.Thread(target=convert, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for n in range(4):
        assert results[n] == [f"<p><strong>{n}</strong> et <em>{i}</em></p>" for i in range(50)]
