import sys

from reliefplan.cli import main

sys.exit(main())
