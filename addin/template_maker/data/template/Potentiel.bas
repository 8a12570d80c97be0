Attribute VB_Name = "Potentiel"
' potentiel macros: the buttons on the Start sheet and the Potentiel ribbon tab call these Subs.
' Each one hands the work to Python through xlwings' RunPython; the Python side finds the
' workbook with xlwings.Book.caller(), so the same code serves the template and the add-in.
Option Explicit

Public Sub PotentielAnalyze()
    RunPython "import addin.macros; addin.macros.analyze()"
End Sub

Public Sub PotentielBuildSegments()
    RunPython "import addin.macros; addin.macros.build_segments()"
End Sub

Public Sub PotentielValidate()
    RunPython "import addin.macros; addin.macros.validate()"
End Sub

Public Sub PotentielSyncNow()
    RunPython "import addin.macros; addin.macros.sync_now()"
End Sub

' Writes the VBA wrappers of potentiel's Excel formulas (the "UDF Modules" setting) into the
' active workbook. Needs File > Options > Trust Center > Macro Settings >
' "Trust access to the VBA project object model".
Public Sub PotentielImportFormulas()
    ImportPythonUDFs
End Sub
