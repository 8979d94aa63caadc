"""The SemEval-2023 Task 3 persuasion-technique inventory and the families a reader sees.

The families follow SemEval-2023's own six coarse groups, with "doubt" split out of "attack on
reputation" because readers ask about it on its own, and named in plain words.
"""

from __future__ import annotations

__all__ = ["FAMILIES", "FAMILY_OF", "TECHNIQUES", "label_of"]

FAMILIES: dict[str, tuple[str, ...]] = {
    "emotional wording": (
        "Loaded_Language",
        "Exaggeration-Minimisation",
        "Repetition",
        "Obfuscation-Vagueness-Confusion",
    ),
    "attacks on people": (
        "Name_Calling-Labeling",
        "Guilt_by_Association",
        "Appeal_to_Hypocrisy",
        "Questioning_the_Reputation",
    ),
    "doubt": ("Doubt",),
    "appeals": (
        "Appeal_to_Fear-Prejudice",
        "Flag_Waving",
        "Appeal_to_Authority",
        "Appeal_to_Popularity",
        "Appeal_to_Values",
    ),
    "simplification": (
        "Causal_Oversimplification",
        "False_Dilemma-No_Choice",
        "Consequential_Oversimplification",
    ),
    "distraction": ("Straw_Man", "Red_Herring", "Whataboutism"),
    "calls and slogans": ("Slogans", "Conversation_Killer", "Appeal_to_Time"),
}

#: The 23 techniques, in SemEval's names.
TECHNIQUES: tuple[str, ...] = tuple(t for members in FAMILIES.values() for t in members)

FAMILY_OF: dict[str, str] = {t: family for family, members in FAMILIES.items() for t in members}


def label_of(technique: str) -> str:
    """A technique's name as a person reads it ("Name_Calling-Labeling" → "name calling / labeling")."""
    return technique.replace("_", " ").replace("-", " / ").lower()
