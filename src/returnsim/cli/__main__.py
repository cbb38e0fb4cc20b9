"""``python -m returnsim.cli``: the ``returnsim`` command."""

import sys

from returnsim.cli import main

sys.exit(main())
