from hep_mcp.cli import main

raise SystemExit(main())
