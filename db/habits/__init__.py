"""Habits and goals: habits, their completions, goals and goal milestones."""
