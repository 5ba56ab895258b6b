"""Run selfeval-xl from a checkout: python cli.py score 自评表.xlsx"""
from selfeval_xl.cli.app import main

if __name__ == "__main__":
    main()
