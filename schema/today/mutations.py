"""Today's writes: settings, onboarding, interests, seen achievements. The rules live in
``db/platform`` and ``db/today``; these declarations only map arguments and results."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from db.errors import InvalidState, NotFound
from db.platform import onboarding_transitions as onboarding
from db.platform import setting_transitions
from db.platform.onboarding import INTEREST_KEY, INTEREST_KEYS, OnboardingIncomplete
from db.settings import KEY
from db.today import transitions as today_transitions
from schema.core.mutations import Ids, Tx, id_arg, mutation


@strawberry.input(description="One setting to store.")
class SettingInput:
    key: Annotated[str, KEY] = strawberry.field(
        description="A known setting's key (`me.settings` lists them)."
    )
    value: JSON = strawberry.field(description="Its new value, of the setting's kind.")


@strawberry.input(description="Settings to store; the others keep their values.")
class UpdateSettingsInput:
    settings: list[SettingInput] = strawberry.field(description="The settings, each key once.")


@mutation(
    description="Store some of the viewer's settings. An unknown key or a value the setting "
    "does not allow is `InvalidInput` whose `field` names the key (`input.settings.timezone`), "
    "and nothing is stored. The success names the rows written `storedSettings` and every "
    "known setting `user.settings`, as `User` does.",
    # The names of `User`: `storedSettings` the rows written, `user.settings` every known key
    # with its default filled in (what a client shows after the change).
    returns={"stored_settings": ["user_settings"], "user": "users"},
)
async def update_settings(tx: Tx, input: UpdateSettingsInput) -> Ids:
    items = [(item.key, item.value) for item in input.settings]
    written = await setting_transitions.write_settings(tx.conn, tx.viewer.user_id, items)
    return {"stored_settings": written, "user": tx.viewer.user_id}


@mutation(
    description="Mark some of the viewer's unlocked achievements as seen: they leave "
    "`me.today.unseenAchievements`. An id that is not the viewer's unlock is `NotFound` and "
    "nothing changes.",
    returns={"achievements": ["user_achievements"]},
    errors=(NotFound,),
    args={"ids": "Unlocks of the viewer (`UserAchievement.id`), each at most once."},
)
async def mark_achievements_seen(tx: Tx, ids: list[strawberry.ID]) -> Ids:
    unlocks = [id_arg(value, "ids") for value in ids]
    return {
        "achievements": await today_transitions.mark_achievements_seen(
            tx.conn, tx.viewer.user_id, unlocks
        )
    }


# ---- onboarding --------------------------------------------------------------------------

_STATE = {"onboarding": "user_onboarding_state"}
_STATE_ERRORS = (NotFound, InvalidState)


@strawberry.input(description="An answer to one step of the viewer's onboarding flow.")
class AnswerOnboardingStepInput:
    step_id: strawberry.ID = strawberry.field(description="The step (`OnboardingStep.id`).")
    response: JSON | None = strawberry.field(
        default=None,
        description="The answer: one option `value` (a list of them when the step "
        "`allowsMultiple`; null or [] passes over a step that is not required), or `true` for "
        "a step without options.",
    )


@mutation(
    description="Begin the viewer's onboarding on its first step "
    '(Ignition specification, "Onboarding Flow"); a flow in progress is left as it is.',
    returns=_STATE,
    errors=_STATE_ERRORS,
)
async def start_onboarding(tx: Tx) -> Ids:
    return {"onboarding": await onboarding.start(tx.conn, tx.viewer.user_id)}


@mutation(
    description="Answer a step of the viewer's onboarding: the response is checked against "
    "the step's options, stored (replacing an earlier answer), its settings and interests are "
    "written, and the current step moves to the next one.",
    returns={**_STATE, "response": "user_onboarding_responses"},
    errors=_STATE_ERRORS,
)
async def answer_onboarding_step(tx: Tx, input: AnswerOnboardingStepInput) -> Ids:
    state, response = await onboarding.answer(
        tx.conn, tx.viewer.user_id, id_arg(input.step_id, "input.stepId"), input.response
    )
    return {"onboarding": state, "response": response}


@mutation(
    description="Skip the viewer's onboarding (answers are kept; `resumeOnboarding` picks "
    "it up again).",
    returns=_STATE,
    errors=_STATE_ERRORS,
)
async def skip_onboarding(tx: Tx) -> Ids:
    return {"onboarding": await onboarding.skip(tx.conn, tx.viewer.user_id)}


@mutation(
    description="Pick a skipped onboarding up again, on its first unanswered step.",
    returns=_STATE,
    errors=_STATE_ERRORS,
)
async def resume_onboarding(tx: Tx) -> Ids:
    return {"onboarding": await onboarding.resume(tx.conn, tx.viewer.user_id)}


@mutation(
    description="Finish the viewer's onboarding; refused with `OnboardingIncomplete` while a "
    "required step is unanswered.",
    returns=_STATE,
    errors=(*_STATE_ERRORS, OnboardingIncomplete),
)
async def complete_onboarding(tx: Tx) -> Ids:
    return {"onboarding": await onboarding.complete(tx.conn, tx.viewer.user_id)}


@mutation(
    description="Make these the viewer's interests (the others are removed); a key is an "
    "option value of an interest step of onboarding (`genre:house`, `goal:ear_training`).",
    returns={"interests": ["user_interests"]},
    args={"keys": "The interest keys, each once."},
)
async def set_interests(tx: Tx, keys: Annotated[list[str], INTEREST_KEY, INTEREST_KEYS]) -> Ids:
    return {"interests": await onboarding.set_interests(tx.conn, tx.viewer.user_id, keys)}
