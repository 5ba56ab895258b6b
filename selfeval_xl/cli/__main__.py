from selfeval_xl.cli.app import main

main()
