from tests.plans.fixtures import *  # noqa: F403 - the shared plan and meeting fixtures
