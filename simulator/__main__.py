"""``python -m plurisim``: the command line."""

import sys

from plurisim.cli import main

sys.exit(main())
