from commun.lib.csvimport import ImportRefused, LineError, plain


def test_headers_match_whatever_their_case_accents_and_spaces():
    assert plain("  État ") == plain("etat") == "etat"
    assert plain("Libellé  de\tl'opération") == "libelle de l'operation"


def test_a_refusal_names_every_line():
    refused = ImportRefused([LineError(3, "titre vide."), LineError(7, "état inconnu.")])
    assert refused.messages == ["Ligne 3 : titre vide.", "Ligne 7 : état inconnu."]
    assert [e.line for e in refused.line_errors] == [3, 7]
