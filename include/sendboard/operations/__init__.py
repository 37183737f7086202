"""Operations: telling people. alerts (a failed task's alert, by e-mail and webhook) and deadline
(a month not published in time). Imports any stage below orchestration.
"""
