from tests.factories import make_habit, make_habit_completions, make_user


async def test_catalogs_and_me(execute, db_conn):
    result = await execute(
        "{ skillDefinitions { totalCount edges { node { key name } } } "
        'exercises(first: 3, filter: {search: "wrist"}) { edges { node { name muscleGroups } } } }'
    )
    assert not result.errors, result.errors
    print(result.data, result.statements)
    user = await make_user(db_conn)
    for i in range(3):
        h = await make_habit(db_conn, user, name=f"h{i}")
        await make_habit_completions(db_conn, h, user, 5)
    q = "{ me { email wallet { coins } habits(first: 50) { totalCount edges { cursor node { name completions(first: 30) { totalCount edges { node { completedAt habit { name } } } } } } } } }"
    result = await execute(q, viewer=user)
    assert not result.errors, result.errors
    print(result.data["me"]["habits"]["totalCount"], result.statements)
