"""How much one demand, or one set of facts, may hold: the one place the caps live.

Every way in holds them, before anything is written or evaluated: the scenario
contract (`facts_from_scenario`: `manage.py reach`, the what-if page and API), the
what-if and demand serializers, the intake and amend forms, and intake itself
(`cases.actions.intake.demand_errors`). The figures are well above what a real demand
names and small enough that the slowest thing a demand feeds, the memo PDF, renders a
demand at the caps in a few seconds (tests/security/test_m5_cheap_dos.py)."""

# A demand's target accounts: a real demand names one to a few dozen.
MAX_ACCOUNTS = 50
# One account's holdings: three categories at each of the provider's data locations.
MAX_HOLDINGS_PER_ACCOUNT = 30
# All holdings of one demand together (each is a row of the analysis and of the memo).
MAX_HOLDINGS_PER_DEMAND = 300
# The provider's legal entities in one set of facts (a large group has a few hundred).
MAX_ENTITIES = 1000
# Ancestors above one entity (a real corporate chain is a handful deep).
MAX_PARENT_DEPTH = 32
