"""`seed-demo` placeholder replaced below."""
import click


@click.command("seed-demo")
def seed_demo() -> None:
    """Seed demo data."""
