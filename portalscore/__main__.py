import sys

from portalscore.cli import main

sys.exit(main())
