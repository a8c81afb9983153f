"""The fixed mix of frontend-like GraphQL operations the benchmark measures.

Each is a named operation with the selection set a screen of the app would ask for, written
against ``schema/schema.graphql``. Operations that need per-user input (a ledger cursor, a focus
session id) get it from :class:`ClientData`, filled once per client before measuring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ClientData:
    """What one benchmark client (one demo user) knows about its own rows.

    Attributes:
        email: the demo user's email.
        ledger_cursor: ``endCursor`` of the user's first ledger page (50 entries).
        ledger_has_next: whether a second ledger page exists.
        focus_session_ids: ids of up to 20 of the user's focus sessions (by-id lookups rotate
            through them).
    """

    email: str
    ledger_cursor: str | None = None
    ledger_has_next: bool = False
    focus_session_ids: list[str] = field(default_factory=list)


#: ``variables(client data, request number)`` -> the operation's variables.
Variables = Callable[[ClientData, int], dict[str, Any]]


def _no_variables(data: ClientData, n: int) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Query:
    """One benchmarked operation.

    Attributes:
        name: short name used on the command line and in the table.
        document: the GraphQL document (one named operation).
        operation: the operation name.
        description: what screen it stands for.
        variables: builds the variables of each request.
    """

    name: str
    document: str
    operation: str
    description: str
    variables: Variables = _no_variables


DASHBOARD = """
query Dashboard {
  me {
    id
    name
    image
    wallet { coins totalEarned totalSpent }
    progress { totalXp currentLevel xpToNextLevel totalSkillStars }
    streaks(first: 10) {
      edges { node { id streakType currentStreak longestStreak lastActivityDate } }
    }
    activeFocusSession {
      id mode status durationSeconds startedAt expiresAt pausedAt pausedRemainingSeconds
      taskTitle
    }
    questProgress(first: 10) {
      totalCount
      edges {
        node {
          id status progress acceptedAt completedAt claimedAt
          quest { id title type target targetType xpReward coinReward }
        }
      }
    }
    habits(first: 20, filter: {isActive: true}) {
      totalCount
      edges {
        node {
          id name icon color targetCount currentStreak lastCompletedAt
          completions(first: 7) { edges { node { id completedDate } } }
        }
      }
    }
  }
}
"""

# docs/design.md#the-compiled-path: one user's habits x 30 completions.
HABITS_PAGE = """
query HabitsPage {
  me {
    habits(first: 50) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id name description frequency targetCount customDays icon color isActive
          currentStreak longestStreak lastCompletedAt sortOrder
          completions(first: 30) {
            edges { node { id completedAt completedDate notes } }
          }
        }
      }
    }
  }
}
"""

MARKET = """
query Market {
  marketItems(first: 50, filter: {isActive: true}) {
    totalCount
    edges {
      node {
        id key name description category costCoins icon imageUrl rarity isAvailable
        isConsumable usesPerPurchase remainingStock availableUntil
      }
    }
  }
  me {
    wallet { coins }
    purchases(first: 20) {
      totalCount
      edges {
        node {
          id costCoins quantity purchasedAt redeemedAt usesRemaining status
          item { id key name icon category rarity }
        }
      }
    }
  }
}
"""

LEDGER = """
query Ledger($after: String) {
  me {
    ledger(first: 50, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        cursor
        node { id eventType eventId coins xp skillStars skillKey reason createdAt }
      }
    }
  }
}
"""

LEARN = """
query Learn {
  learnTopics(first: 20) {
    edges {
      node {
        id key name description category icon
        lessons(first: 50) {
          totalCount
          edges {
            node {
              id key title durationMinutes difficulty xpReward coinReward skillKey
              lessonProgress(first: 1) {
                edges { node { id status startedAt completedAt quizScore attempts } }
              }
            }
          }
        }
        drills(first: 50) {
          totalCount
          edges { node { id key title drillType difficulty durationSeconds xpReward } }
        }
      }
    }
  }
}
"""

WORKOUTS = """
query Workouts {
  me {
    workouts(first: 20) {
      totalCount
      edges {
        node {
          id name description estimatedDuration isTemplate
          exercises(first: 30) {
            edges {
              node {
                id sets reps weight duration restSeconds sortOrder
                exercise { id name category equipment muscleGroups }
              }
            }
          }
        }
      }
    }
    workoutSessions(first: 20) {
      totalCount
      edges {
        node {
          id startedAt completedAt rating xpAwarded
          sets(first: 50) {
            edges {
              node {
                id setNumber reps weight duration isWarmup rpe
                exercise { id name }
              }
            }
          }
        }
      }
    }
  }
}
"""

REFERENCE_TRACKS = """
query ReferenceTracks {
  me {
    referenceTracks(first: 20) {
      totalCount
      edges {
        node {
          id name artist album genre bpm keySignature durationSeconds status tags createdAt
          trackAnalyses(first: 10) {
            edges {
              node {
                id analysisType version status completedAt summary
                frameManifest {
                  id frameCount hopMs durationMs sampleRate bands bytesPerFrame totalChunks
                }
              }
            }
          }
          trackAnnotations(first: 50) {
            edges { node { id startTimeMs endTimeMs title content category color } }
          }
          trackRegions(first: 50) {
            edges { node { id startTimeMs endTimeMs name sectionType color displayOrder } }
          }
        }
      }
    }
  }
}
"""

EXERCISE_SEARCH = """
query ExerciseSearch($search: String!) {
  exercises(filter: {search: $search}, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node { id name category equipment muscleGroups level force mechanic isCustom images }
    }
  }
}
"""

FOCUS_SESSION = """
query FocusSessionById($id: ID!) {
  focusSession(id: $id) {
    id mode status durationSeconds startedAt completedAt abandonedAt expiresAt pausedAt
    pausedRemainingSeconds xpAwarded coinsAwarded taskId taskTitle createdAt
    pauseState { id isPaused pausedAt resumedAt timeRemainingSeconds }
  }
}
"""

#: Run once per client before measuring: checks the sign-in and collects per-user inputs.
PREPARE = """
query BenchPrepare {
  me {
    email
    ledger(first: 50) { pageInfo { hasNextPage endCursor } }
    focusSessions(first: 20) { edges { node { id } } }
  }
}
"""


def _ledger_page_2(data: ClientData, n: int) -> dict[str, Any]:
    return {"after": data.ledger_cursor}


def _search(data: ClientData, n: int) -> dict[str, Any]:
    return {"search": "press"}


def _focus_session(data: ClientData, n: int) -> dict[str, Any]:
    ids = data.focus_session_ids
    return {"id": ids[n % len(ids)]}


QUERIES: tuple[Query, ...] = (
    Query("dashboard", DASHBOARD, "Dashboard", "me: wallet, progress, streaks, quests, habits"),
    Query(
        "habits",
        HABITS_PAGE,
        "HabitsPage",
        "50 habits x 30 completions (docs/design.md#the-compiled-path)",
    ),
    Query("market", MARKET, "Market", "market items + 20 purchases with their item"),
    Query("ledger", LEDGER, "Ledger", "ledger, first page of 50"),
    Query("ledger-page-2", LEDGER, "Ledger", "ledger, second page (cursor)", _ledger_page_2),
    Query("learn", LEARN, "Learn", "topics, lessons + own progress, drills"),
    Query("workouts", WORKOUTS, "Workouts", "workouts + exercises, sessions + sets"),
    Query(
        "reference-tracks",
        REFERENCE_TRACKS,
        "ReferenceTracks",
        "tracks, analyses + manifests, annotations, regions",
    ),
    Query("exercise-search", EXERCISE_SEARCH, "ExerciseSearch", 'search "press", 20', _search),
    Query("focus-session", FOCUS_SESSION, "FocusSessionById", "focusSession(id:)", _focus_session),
)
