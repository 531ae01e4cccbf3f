from interview_coach.cli.launch import run

if __name__ == "__main__":
    run()
