"""Award nominations: dossiers, their files, submission, review and the audit trail.

Who may do what:
- unit officers create, edit, upload to and submit the nominations of their unit
  and its sub-units (a new nomination belongs to the officer's unit; the nominee
  is within it); province admins do all of this for any unit;
- reviewers and province admins review;
- every role reads (a unit officer only their unit's and sub-units' nominations).
Unknown ids are 404, ids outside the caller's unit are 403, on every route.

The modules, each imported by name (nothing is re-exported here):
- `access`: who may see and change which nomination, and the errors that say why not;
- `dossiers`: create, read, edit and list nominations, and their view;
- `files`: uploads with presigned links, verification of what arrived, deletion;
- `workflow`: submission before the deadline, review under the quota and the
  separation of duties, the audit trail.
Every decision is taken at `chalicelib.clock.now()`, the one clock.
"""
