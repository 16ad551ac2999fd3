"""`python -m tests.cluster`: start the three-instance cluster by hand."""

from tests.cluster.cluster import main

raise SystemExit(main())
