import sys

from huizhen.cli import main

sys.exit(main())
