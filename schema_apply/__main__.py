from schema_apply.cli import main

if __name__ == "__main__":
    main()
