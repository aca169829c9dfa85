"""`python -m ocop_nlp ARGS` is `ocop ARGS`."""

import sys

from ocop_nlp.cli import main

sys.exit(main())
