"""The canary suite: a fixed prompt catalog sent to each monitored model on a schedule, scored with the
project's own monitors, with alarms in both directions (too many refusals, too few).

Passive monitoring cannot tell a model change from a traffic change; a fixed catalog can. The package is
the canary Lambda's code (its own asset, so its own top-level folder, beside `dispatcher/`) and what the
stack and the local runtime read about it:

- `catalog`: the catalog format, its validation and `default_catalog.jsonl` (package data);
- `metrics`: the canary's metrics and default alarms, declared as data;
- `runner` (Converse calls), `scoring` (refusal decision, reference similarity, ROUGE-L in `lexical`),
  `summary` (per-model results), `emf`, `settings` and `handler`: the Lambda;
- `config` (`canary.*` keys), `schedule` and `alarms`: synth time and the CLI only, never bundled.

Nothing is imported here, so the Lambda's asset holds only what its handler imports.
"""
