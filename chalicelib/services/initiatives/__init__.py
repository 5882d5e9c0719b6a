"""Initiatives (sáng kiến): registration and files (`dossiers`), the council's scoring,
recusal and the close of the assessment (`assessment`), who may see and change what
(`access`), and creativity as a figure per unit (`assessment.creativity_*`).

Who may do what:
- a unit officer registers, edits, submits and files the initiatives of their unit and its
  sub-units and sees those; the province admin may do so for any unit;
- province roles (province_admin, reviewer, viewer) see every initiative;
- a council_member whose sub is on the campaign's initiatives council sees the submitted
  ones, scores them (unless recused) and, as its secretary, closes the assessment;
- the province admin, a reviewer or the council's secretary returns a submitted one.
"""
