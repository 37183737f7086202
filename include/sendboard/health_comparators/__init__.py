"""NHS England's community health services waiting lists beside the board's health KPIs (issue 32):
which CHS month stands beside a published month, the figures of England, the NHS region, the ICB
and the LA's providers, and the check of a provider's CHS figure against our own count.

It reads the warehouse (the landed CHS workbooks' staging view and our referrals) and decides
nothing about publication: `publish` records what it returns with the month's version and renders it.
"""
