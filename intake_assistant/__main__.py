from intake_assistant.cli import main

raise SystemExit(main())
