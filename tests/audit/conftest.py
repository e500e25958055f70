from tests.reviews.fixtures import *  # noqa: F403
