from interview_coach.cli.main import run

if __name__ == "__main__":
    run()
