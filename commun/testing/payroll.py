"""OpenFisca-France run on its own, to check the payroll engine against it."""

from decimal import ROUND_HALF_UP, Decimal

from openfisca_core.simulation_builder import SimulationBuilder


def cents(euros) -> int:
    return int((Decimal(repr(float(euros))) * 100).quantize(Decimal(1), ROUND_HALF_UP))


def simulate(system, inputs: dict[str, dict[str, object]], first: str, last: str):
    """OpenFisca-France run on its own, in the test-case form of its documentation."""
    situation = {
        "individus": {"contributrice": inputs},
        "familles": {"famille": {"parents": ["contributrice"]}},
        "foyers_fiscaux": {"foyer": {"declarants": ["contributrice"]}},
        "menages": {"menage": {"personne_de_reference": ["contributrice"]}},
    }
    simulation = SimulationBuilder().build_from_entities(system, situation)
    year, month = int(first[:4]), 1
    results = {}
    while f"{year:04d}-{month:02d}" <= last:  # in order: the relief reads earlier months
        period = f"{year:04d}-{month:02d}"
        results[period] = {
            name: float(simulation.calculate(name, period)[0])
            for name in (
                "salaire_net",
                "salaire_super_brut",
                "cotisations_employeur",
                "allegement_general",
                "exonerations",
            )
        }
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return {period: value for period, value in results.items() if period >= first}
