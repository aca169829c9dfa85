"""Imported once by the pool's fork server: models load there, and every worker forks warm.

Importing this module is the warm-up, on purpose: `multiprocessing` preloads modules by name.
Nothing else imports it.
"""

from ocop_nlp.batch.task import warm_up

warm_up()
