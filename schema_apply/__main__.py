from schema_apply.cli import run

if __name__ == "__main__":
    run()
