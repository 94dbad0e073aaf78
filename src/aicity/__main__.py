from aicity.cli.main import run

run()
