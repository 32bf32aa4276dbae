"""The import page in Chromium: a file with a bad line lists its errors, a good one lands
on the board's list; every page axe-clean, nothing loaded from elsewhere."""

import pytest

from commun.board.models import Task
from commun.testing.browser import act_as, assert_all_local, axe_check, done

pytestmark = pytest.mark.browser

BAD = b"Title,Status\nBonne,Todo\nMauvaise,Blocked\n"
GOOD = "Title,Status,Assignees,Labels\nBonne,Todo,,doc\nPrise,Done,{gus},bug\n"


def test_a_member_imports_a_file_after_fixing_its_bad_line(page, need, bob, gus):
    act_as(page, bob)
    page.goto(f"/besoins/{need.pk}/importer-des-taches/")
    axe_check(page)
    page.get_by_label("Fichier CSV").set_input_files(
        {"name": "taches.csv", "mimeType": "text/csv", "buffer": BAD}
    )
    page.get_by_role("button", name="Importer").click()
    assert page.get_by_text("Ligne 3 : état inconnu « Blocked »").is_visible()
    axe_check(page)
    assert not Task.objects.exists()
    page.get_by_label("Fichier CSV").set_input_files(
        {
            "name": "taches.csv",
            "mimeType": "text/csv",
            "buffer": GOOD.format(gus=gus.number).encode(),
        }
    )
    page.get_by_role("button", name="Importer").click()
    done(page, "2 tâches importées sur le tableau.")
    assert page.get_by_role("link", name="Prise").is_visible()
    axe_check(page)
    assert_all_local(page)
